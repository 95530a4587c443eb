#!/usr/bin/env bash
# dnb against Keras on the same machine, the same MNIST files and the same
# two recipes (seed A 784-15-10, seed B 784-128-10 with validation 0.2), in
# one run, printed side by side with the ratios and the issue's targets.
#
# usage: benchmarks/compare-keras.sh [--repeats N] [--keras-repeats N] [--threads N]
#   --repeats        dnb fits per recipe (default 3; the median is compared)
#   --keras-repeats  Keras fits per recipe (default 1: one fit takes ~20-35 s)
#   --threads        dnb's OpenBLAS threads (default 1; TensorFlow uses both cores either way)
#
# Installs TensorFlow CPU from PyPI into .venv-bench/ (once; a few minutes).
# Environment: DNB_DATA (MNIST folder: IDX files or mnist.npz; default
# ../shared/data/mnist or ./data/mnist), PYTHON (default python3),
# TF_PACKAGE (default tensorflow-cpu==2.21.0), VENV (default .venv-bench).
set -euo pipefail

say() { echo "compare-keras: $*" >&2; }
die() { say "error: $*"; exit 1; }

cd "$(dirname "$0")/.."
root=$PWD
repeats=3
keras_repeats=1
threads=1
while [ $# -gt 0 ]; do
    case "$1" in
        --repeats) repeats=${2:?--repeats needs a number}; shift 2 ;;
        --keras-repeats) keras_repeats=${2:?--keras-repeats needs a number}; shift 2 ;;
        --threads) threads=${2:?--threads needs a number}; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

if [ -z "${DNB_DATA:-}" ]; then
    for candidate in ../shared/data/mnist ./data/mnist; do
        if [ -d "$candidate" ]; then DNB_DATA=$(cd "$candidate" && pwd); break; fi
    done
fi
[ -n "${DNB_DATA:-}" ] && [ -e "$DNB_DATA" ] \
    || die "no MNIST found: set DNB_DATA to a folder with the four IDX files or mnist.npz"
export DNB_DATA

# TensorFlow's own logs (oneDNN notices, CPU feature lines) stay out of the table.
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONWARNINGS=ignore

python=${PYTHON:-python3}
venv=${VENV:-$root/.venv-bench}
tf_package=${TF_PACKAGE:-tensorflow-cpu==2.21.0}
command -v "$python" >/dev/null || die "$python not found (apt-get install python3 python3-venv)"
if [ ! -x "$venv/bin/python" ]; then
    say "creating the virtualenv $venv"
    "$python" -m venv "$venv" || die "'$python -m venv' failed (apt-get install python3-venv)"
fi
if ! "$venv/bin/python" -c "import tensorflow" >/dev/null 2>&1; then
    say "installing $tf_package into $venv from PyPI (a few minutes, ~600 MB)"
    "$venv/bin/python" -m pip install --quiet --upgrade pip \
        && "$venv/bin/python" -m pip install --quiet "$tf_package" \
        || die "pip could not install $tf_package (set TF_PACKAGE to another version or 'tensorflow')"
fi

say "building dnb and dnb-bench (release)"
swift build -c release --product dnb >/dev/null || die "swift build of dnb failed"
swift build -c release --product dnb-bench >/dev/null || die "swift build of dnb-bench failed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before: $load_before (other work on these 2 cores slows both sides)"
say "dnb: the two recipes, $repeats fits each, $threads threads, then dnb run notebooks/seed-b.dnb"
.build/release/dnb-bench --threads "$threads" --repeats "$repeats" --json "$work/dnb.json" >"$work/dnb.txt" \
    || { cat "$work/dnb.txt" >&2; die "dnb-bench failed"; }
for recipe in a b; do
    say "Keras: recipe $recipe, $keras_repeats fit(s)"
    "$venv/bin/python" benchmarks/keras_recipes.py --recipe "$recipe" --repeats "$keras_repeats" \
        --json "$work/keras-$recipe.json" 2>"$work/keras-$recipe.log" \
        || { cat "$work/keras-$recipe.log" >&2; die "the Keras run of recipe $recipe failed"; }
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cat "$work/dnb.txt"
echo
"$venv/bin/python" - "$work" "$load_before" "$load_after" <<'PY'
import json, statistics, sys

work, load_before, load_after = sys.argv[1:4]
dnb = json.load(open(f"{work}/dnb.json"))
keras = {r: json.load(open(f"{work}/keras-{r}.json")) for r in "ab"}
mb = lambda b: f"{b / 1048576:.0f} MB"
checks = []

print(f"dnb vs Keras {keras['b']['versions']['keras']} (TensorFlow {keras['b']['versions']['tensorflow']}, CPU), "
      f"load average {load_before} before, {load_after} after")
print(f"{'':30}{'dnb':>14}{'Keras':>14}{'Keras / dnb':>14}")
for d in dnb["recipes"]:
    k = keras[d["recipe"]]
    plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
    print(f"{d['title']}  (dnb: median of {plural(len(d['fits']), 'fit')}, {plural(d['threads'], 'thread')}; "
          f"Keras: median of {plural(len(k['fits']), 'fit')}, {plural(k['threads'], 'thread')})")
    rows = [
        ("fit", statistics.median(d["fits"]), statistics.median(k["fits"]), "s"),
        ("epoch, best", d["bestEpoch"], k["bestEpoch"], "s"),
        ("load mnist", d["load"], k["load"], "s"),
        ("evaluate 10k (best)", d["evaluate"], k["evaluate"], "s"),
        ("evaluate 10k (first call)", d["evaluateFirst"], k["evaluateFirst"], "s"),
        ("peak RSS (one process)", d["peakRSS"], k["peakRSS"], "B"),
    ]
    for name, a, b, unit in rows:
        show = mb if unit == "B" else (lambda v: f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s")
        print(f"  {name:28}{show(a):>14}{show(b):>14}{b / a:>13.1f}x")
    gap = 100 * (d["testAccuracy"] - k["testAccuracy"])
    print(f"  {'test accuracy':28}{d['testAccuracy']:>14.4f}{k['testAccuracy']:>14.4f}{gap:>+12.2f}pt")
    speedup = statistics.median(k["fits"]) / statistics.median(d["fits"])
    if d["recipe"] == "b":
        checks.append(("seed B fit >= 10x faster than Keras", speedup >= 10, f"{speedup:.1f}x"))
        checks.append(("seed B test accuracy within 0.3 pt of Keras", abs(gap) <= 0.3, f"{gap:+.2f} pt"))
    else:
        checks.append(("seed A fit >= 20x faster than Keras", speedup >= 20, f"{speedup:.1f}x"))
    checks.append((f"{d['title'][:6]} load mnist < 0.3 s", d["load"] < 0.3, f"{d['load']:.3f} s"))
    checks.append((f"{d['title'][:6]} evaluate 10k < 50 ms", d["evaluate"] < 0.05, f"{d['evaluate'] * 1000:.1f} ms"))

notebook = dnb.get("notebook")
if notebook:
    k = keras["b"]
    ratio = k["peakRSS"] / notebook["peakRSS"]
    print(f"whole job, seed B: `dnb run {notebook['notebook']}` peak RSS {mb(notebook['peakRSS'])} "
          f"({notebook['seconds']:.2f} s) vs Keras {mb(k['peakRSS'])}: {ratio:.1f}x less")
    checks.append(("whole seed-b run peak RSS <= 1/4 of Keras's", ratio >= 4, f"{ratio:.1f}x less"))
print()
for name, ok, value in checks:
    print(f"  {'PASS' if ok else 'MISS'}  {name}: {value}")
PY
