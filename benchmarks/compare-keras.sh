#!/usr/bin/env bash
# dnb against Keras on the same machine, the same MNIST files and the same
# two recipes (seed A 784-15-10, seed B 784-128-10 with validation 0.2), in
# one run, printed side by side with the ratios and the issue's targets; on
# request the two convnets too, and the keras-io convnet in PyTorch.
#
# usage: benchmarks/compare-keras.sh [--repeats N] [--keras-repeats N] [--threads N] [--loaded]
#                                    [--convnet] [--conv-epochs N] [--torch]
#   --repeats        dnb fits per recipe (default 3; the median is compared)
#   --keras-repeats  Keras fits per recipe (default 1: one fit takes ~20-35 s)
#   --threads        dnb's threads (default: every core available; TensorFlow uses them all)
#   --loaded         also time dnb's fits with another process spinning on one
#                    core (`yes > /dev/null`), default threads against 1 thread
#   --convnet        also the keras-io convnet and the batch-normalized convnet
#                    (notebooks/convnet.dnb's model, without augmentation or
#                    schedule), one fit each on both sides (15 epochs: minutes);
#                    and issue 24's other figures: augmentation's share of a
#                    batch-normalized convnet epoch (dnb-bench --augmentation),
#                    `dnb run notebooks/speedrun.dnb`'s fit time and test
#                    accuracy beside the time the keras-io recipe takes in
#                    Keras to first reach 0.990 (its fit evaluates the test set
#                    after every epoch, outside the epochs' times), and the
#                    time notebooks/convnet.dnb's recipe takes in dnb to first
#                    reach 0.995 (dnb-bench --time-to 0.995)
#   --conv-epochs    the two convnet comparisons' epochs instead of 15 (implies
#                    --convnet); the times to 0.990 and 0.995 still train up to
#                    their recipes' 15 and 12 + 2 epochs, Keras's then in a run of
#                    its own that stops at 0.990 (keras_recipes.py --stop-at)
#   --torch          also the keras-io convnet in PyTorch (benchmarks/torch_recipes.py,
#                    same threads), a third column (implies --convnet)
#
# The convnets' targets compare best epochs (training and validation pass, as
# Keras's epoch callbacks time them) and set dnb's against the 2-core peak of
# the widest FMA path the engine runs here (dnb-bench measures it: 16 lanes
# where its AVX-512 tiles run, else 8).
#
# Keras loads MNIST as keras.datasets.mnist does, with np.load of mnist.npz
# (from DNB_DATA's folder when it holds one); dnb loads the gzipped IDX files.
#
# Installs TensorFlow CPU from PyPI into .venv-bench/ (once; a few minutes),
# and with --torch PyTorch too (once; its default Linux wheel carries the CUDA
# libraries, about 5 GB, and runs on the CPU).
# Environment: DNB_DATA (MNIST folder: IDX files or mnist.npz; default
# ../shared/data/mnist or ./data/mnist), PYTHON (default python3),
# TF_PACKAGE (default tensorflow-cpu==2.21.0), TORCH_PACKAGE (default
# torch==2.15.0), VENV (default .venv-bench).
set -euo pipefail

say() { echo "compare-keras: $*" >&2; }
die() { say "error: $*"; exit 1; }

cd "$(dirname "$0")/.."
root=$PWD
repeats=3
keras_repeats=1
threads=$(nproc)
loaded=0
convnet=0
conv_epochs=0
torch=0
while [ $# -gt 0 ]; do
    case "$1" in
        --repeats) repeats=${2:?--repeats needs a number}; shift 2 ;;
        --keras-repeats) keras_repeats=${2:?--keras-repeats needs a number}; shift 2 ;;
        --threads) threads=${2:?--threads needs a number}; shift 2 ;;
        --loaded) loaded=1; shift ;;
        --convnet) convnet=1; shift ;;
        --conv-epochs) conv_epochs=${2:?--conv-epochs needs a number}; convnet=1; shift 2 ;;
        --torch) torch=1; convnet=1; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
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
keras_data=$DNB_DATA
[ -d "$DNB_DATA" ] && [ -f "$DNB_DATA/mnist.npz" ] && keras_data=$DNB_DATA/mnist.npz

# TensorFlow's own logs (oneDNN notices, CPU feature lines) stay out of the table.
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONWARNINGS=ignore

python=${PYTHON:-python3}
venv=${VENV:-$root/.venv-bench}
tf_package=${TF_PACKAGE:-tensorflow-cpu==2.21.0}
torch_package=${TORCH_PACKAGE:-torch==2.15.0}
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
if [ "$torch" = 1 ] && ! "$venv/bin/python" -c "import torch" >/dev/null 2>&1; then
    say "installing $torch_package into $venv from PyPI (minutes; the wheel and its CUDA libraries are ~5 GB)"
    "$venv/bin/python" -m pip install --quiet "$torch_package" \
        || die "pip could not install $torch_package (set TORCH_PACKAGE to another version)"
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
    "$venv/bin/python" benchmarks/keras_recipes.py --recipe "$recipe" --repeats "$keras_repeats" --data "$keras_data" \
        --json "$work/keras-$recipe.json" 2>"$work/keras-$recipe.log" \
        || { cat "$work/keras-$recipe.log" >&2; die "the Keras run of recipe $recipe failed"; }
done
if [ "$convnet" = 1 ]; then
    epochs_flag=()
    [ "$conv_epochs" -gt 0 ] && epochs_flag=(--epochs "$conv_epochs")
    say "dnb: the keras-io convnet, 1 fit, $threads threads"
    .build/release/dnb-bench --recipe conv --threads "$threads" --repeats 1 --no-notebook "${epochs_flag[@]}" \
        --json "$work/dnb-conv.json" >"$work/dnb-conv.txt" \
        || { cat "$work/dnb-conv.txt" >&2; die "dnb-bench failed on the convnet"; }
    say "Keras: the keras-io convnet, 1 fit"
    # The full recipe's fit also gives Keras's time to 0.990 (the same first
    # epoch and fit seconds as a run stopping there) and its best test
    # accuracy; a shortened one cannot, so a run of its own stops at 0.990.
    reach_flag=(--test-each-epoch --reach 0.990)
    [ "$conv_epochs" -gt 0 ] && reach_flag=()
    "$venv/bin/python" benchmarks/keras_recipes.py --recipe conv --repeats 1 --data "$keras_data" "${epochs_flag[@]}" \
        "${reach_flag[@]}" --json "$work/keras-conv.json" 2>"$work/keras-conv.log" \
        || { cat "$work/keras-conv.log" >&2; die "the Keras run of the convnet failed"; }
    if [ "$conv_epochs" -gt 0 ]; then
        say "Keras: the keras-io convnet until 0.990 test accuracy (at most 15 epochs)"
        "$venv/bin/python" benchmarks/keras_recipes.py --recipe conv --repeats 1 --data "$keras_data" \
            --stop-at 0.990 --json "$work/keras-990.json" 2>"$work/keras-990.log" \
            || { cat "$work/keras-990.log" >&2; die "the Keras run of the convnet to 0.990 failed"; }
    fi
    say "dnb: the batch-normalized convnet, 1 fit, $threads threads"
    .build/release/dnb-bench --recipe bnconv --threads "$threads" --repeats 1 --no-notebook "${epochs_flag[@]}" \
        --json "$work/dnb-bnconv.json" >"$work/dnb-bnconv.txt" \
        || { cat "$work/dnb-bnconv.txt" >&2; die "dnb-bench failed on the batch-normalized convnet"; }
    say "Keras: the batch-normalized convnet, 1 fit"
    "$venv/bin/python" benchmarks/keras_recipes.py --recipe bnconv --repeats 1 --data "$keras_data" "${epochs_flag[@]}" \
        --json "$work/keras-bnconv.json" 2>"$work/keras-bnconv.log" \
        || { cat "$work/keras-bnconv.log" >&2; die "the Keras run of the batch-normalized convnet failed"; }
    say "dnb: augmentation's share of an epoch, the time to 0.995, notebooks/speedrun.dnb"
    .build/release/dnb-bench --recipe none --no-notebook --threads "$threads" \
        --augmentation --time-to 0.995 --speedrun --json "$work/dnb-milestones.json" >"$work/dnb-milestones.txt" \
        || { cat "$work/dnb-milestones.txt" >&2; die "dnb-bench failed on the augmentation, time-to or speedrun figures"; }
    if [ "$torch" = 1 ]; then
        say "PyTorch: the keras-io convnet, 1 fit, $threads threads"
        "$venv/bin/python" benchmarks/torch_recipes.py --recipe conv --repeats 1 --threads "$threads" \
            --data "$keras_data" "${epochs_flag[@]}" --json "$work/torch-conv.json" 2>"$work/torch-conv.log" \
            || { cat "$work/torch-conv.log" >&2; die "the PyTorch run of the convnet failed"; }
    fi
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$loaded" = 1 ]; then
    say "dnb with one core taken by \`yes > /dev/null\`: $threads threads, then 1 thread"
    yes > /dev/null &
    spinner=$!
    .build/release/dnb-bench --threads "$threads" --repeats "$repeats" --no-notebook --json "$work/loaded-n.json" \
        >/dev/null || { kill $spinner; die "dnb-bench failed under load"; }
    .build/release/dnb-bench --threads 1 --repeats "$repeats" --no-notebook --json "$work/loaded-1.json" \
        >/dev/null || { kill $spinner; die "dnb-bench failed under load"; }
    kill $spinner
fi

cat "$work/dnb.txt"
echo
"$venv/bin/python" - "$work" "$load_before" "$load_after" <<'PY'
import json, os, statistics, sys

work, load_before, load_after = sys.argv[1:4]
dnb = json.load(open(f"{work}/dnb.json"))
keras = {r: json.load(open(f"{work}/keras-{r}.json")) for r in "ab"}
torch = {}
peak = dnb.get("peak")
for recipe in ("conv", "bnconv"):
    if os.path.exists(f"{work}/dnb-{recipe}.json"):
        run = json.load(open(f"{work}/dnb-{recipe}.json"))
        dnb["recipes"] += run["recipes"]
        peak = run.get("peak", peak)
        keras[recipe] = json.load(open(f"{work}/keras-{recipe}.json"))
if os.path.exists(f"{work}/torch-conv.json"):
    torch["conv"] = json.load(open(f"{work}/torch-conv.json"))
mb = lambda b: f"{b / 1048576:.0f} MB"
plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
checks = []

print(f"dnb vs Keras {keras['b']['versions']['keras']} (TensorFlow {keras['b']['versions']['tensorflow']}, CPU)"
      + (f" and PyTorch {torch['conv']['versions']['torch']} (CPU)" if torch else "")
      + f", load average {load_before} before, {load_after} after")
if peak:
    line = f"dnb-bench's peak per core: {peak['path']} {peak['perCore'] / 1e9:.1f} GFLOP/s"
    if peak["lanes"] != 8:
        line += f" (8-lane {peak['eightLanePerCore'] / 1e9:.1f} GFLOP/s)"
    print(line)
with_torch = bool(torch)
header = f"{'':30}{'dnb':>14}{'Keras':>14}{'Keras / dnb':>14}"
if with_torch:
    header += f"{'PyTorch':>14}{'PyTorch / dnb':>15}"
print(header)
for d in dnb["recipes"]:
    k = keras[d["recipe"]]
    t = torch.get(d["recipe"])
    title = (f"{d['title']}  (dnb: median of {plural(len(d['fits']), 'fit')}, {plural(d['threads'], 'thread')}; "
             f"Keras: median of {plural(len(k['fits']), 'fit')}, {plural(k['threads'], 'thread')}")
    if t:
        title += f"; PyTorch: median of {plural(len(t['fits']), 'fit')}, {plural(t['threads'], 'thread')}"
    print(title + ")")
    rows = [
        ("fit", statistics.median, "fits", "s"),
        ("epoch, best", None, "bestEpoch", "s"),
        ("load mnist", None, "load", "s"),
        ("evaluate 10k (best)", None, "evaluate", "s"),
        ("evaluate 10k (first call)", None, "evaluateFirst", "s"),
        ("peak RSS (one process)", None, "peakRSS", "B"),
    ]
    for name, reduce, key, unit in rows:
        figure = (lambda r: reduce(r[key])) if reduce else (lambda r: r[key])
        show = mb if unit == "B" else (lambda v: f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s")
        a, b = figure(d), figure(k)
        line = f"  {name:28}{show(a):>14}{show(b):>14}{b / a:>13.1f}x"
        if t:
            c = figure(t)
            line += f"{show(c):>14}{c / a:>14.1f}x"
        print(line)
    gap = 100 * (d["testAccuracy"] - k["testAccuracy"])
    line = f"  {'test accuracy':28}{d['testAccuracy']:>14.4f}{k['testAccuracy']:>14.4f}{gap:>+12.2f}pt"
    if t:
        line += f"{t['testAccuracy']:>14.4f}{100 * (d['testAccuracy'] - t['testAccuracy']):>+13.2f}pt"
    print(line)
    if "parameters" in d:
        line = f"  {'parameters':28}{d['parameters']:>14,}{k.get('parameters', 0):>14,}"
        if t:
            line += f"{'':14}{t.get('parameters', 0):>14,}"
        print(line)
    speedup = statistics.median(k["fits"]) / statistics.median(d["fits"])
    epochs = f" ({d['epochs']} epochs)" if d.get("epochs") not in (None, 15) else ""
    if d["recipe"] in ("conv", "bnconv") and d.get("parameters") != k.get("parameters"):
        checks.append((f"{d['title']}: the same model on both sides", False,
                       f"dnb {d.get('parameters')} parameters, Keras {k.get('parameters')}"))
    if d["recipe"] == "bnconv":
        ratio = k["bestEpoch"] / d["bestEpoch"]
        checks.append((f"batch-normalized convnet epoch vs the same model in Keras >= 1.5x{epochs}", ratio >= 1.5,
                       f"{ratio:.2f}x ({d['bestEpoch']:.2f} s vs {k['bestEpoch']:.2f} s)"))
        continue
    if d["recipe"] == "conv":
        checks.append((f"convnet fit at least as fast as Keras{epochs}", speedup >= 1, f"{speedup:.2f}x"))
        ratio = k["bestEpoch"] / d["bestEpoch"]
        checks.append((f"convnet best epoch vs Keras >= 1.8x{epochs}", ratio >= 1.8,
                       f"{ratio:.2f}x ({d['bestEpoch']:.2f} s vs {k['bestEpoch']:.2f} s)"))
        if t:
            ratio = t["bestEpoch"] / d["bestEpoch"]
            checks.append((f"convnet best epoch vs PyTorch >= 2.5x{epochs}", ratio >= 2.5,
                           f"{ratio:.2f}x ({d['bestEpoch']:.2f} s vs {t['bestEpoch']:.2f} s)"))
        if peak:
            cores = d["threads"]
            rate = d["flops"] / d["epochs"] / d["bestEpoch"]
            fraction = rate / (peak["perCore"] * cores)
            checks.append((f"convnet epoch fraction of the {cores}-core FMA peak ({peak['path']}) >= 75%",
                           fraction >= 0.75,
                           f"{100 * fraction:.0f}% ({rate / 1e9:.1f} of {cores} x {peak['perCore'] / 1e9:.1f} GFLOP/s)"))
        evaluate = k["evaluate"] / d["evaluate"]
        checks.append(("evaluate 10k vs Keras >= 3x", evaluate >= 3,
                       f"{evaluate:.2f}x ({1000 * d['evaluate']:.0f} ms vs {1000 * k['evaluate']:.0f} ms)"))
        checks.append(("convnet test accuracy at least Keras's minus 0.15 pt", gap >= -0.15, f"{gap:+.2f} pt"))
        checks.append(("convnet recipe peak RSS <= 150 MB", d["peakRSS"] <= 150 * 1048576, mb(d["peakRSS"])))
        continue
    if d["recipe"] == "b":
        checks.append(("seed B fit >= 20x faster than Keras", speedup >= 20, f"{speedup:.1f}x"))
        checks.append(("seed B test accuracy within 0.3 pt of Keras", abs(gap) <= 0.3, f"{gap:+.2f} pt"))
    else:
        checks.append(("seed A fit >= 35x faster than Keras", speedup >= 35, f"{speedup:.1f}x"))
    load = k["load"] / d["load"]
    checks.append((f"{d['title'][:6]} load mnist (IDX, gzip) >= 2x faster than Keras's np.load of mnist.npz",
                   load >= 2, f"{load:.1f}x"))
    evaluate = k["evaluate"] / d["evaluate"]
    checks.append((f"{d['title'][:6]} evaluate 10k >= 40x faster than Keras", evaluate >= 40, f"{evaluate:.1f}x"))

notebook = dnb.get("notebook")
if notebook:
    k = keras["b"]
    ratio = k["peakRSS"] / notebook["peakRSS"]
    print(f"whole job, seed B: `dnb run {notebook['notebook']}` peak RSS {mb(notebook['peakRSS'])} "
          f"({notebook['seconds']:.2f} s) vs Keras {mb(k['peakRSS'])}: {ratio:.1f}x less")
    checks.append(("whole seed-b run peak RSS <= 100 MB", notebook["peakRSS"] <= 100 * 1048576, mb(notebook["peakRSS"])))
    whole = statistics.median(k["fits"]) / notebook["seconds"]
    checks.append(("whole `dnb run notebooks/seed-b.dnb` >= 18x faster than Keras's fit alone", whole >= 18,
                   f"{whole:.1f}x ({notebook['seconds']:.2f} s)"))

if os.path.exists(f"{work}/loaded-n.json"):
    loaded = {n: json.load(open(f"{work}/loaded-{n}.json")) for n in ("n", "1")}
    print("with one core taken by `yes > /dev/null` (median fit):")
    for many, one in zip(loaded["n"]["recipes"], loaded["1"]["recipes"]):
        a, b = statistics.median(many["fits"]), statistics.median(one["fits"])
        print(f"  {many['title']:28}{many['threads']} threads {a:.2f} s, 1 thread {b:.2f} s: {a / b:.2f}x")
        checks.append((f"{many['title'][:6]} under load: default threads at most 1.25x slower than 1 thread",
                       a / b <= 1.25, f"{a / b:.2f}x"))
milestones = json.load(open(f"{work}/dnb-milestones.json")) if os.path.exists(f"{work}/dnb-milestones.json") else None
if milestones:
    def first(run, target):
        """The first epoch of a run's per-epoch test accuracies that reaches `target` (whole examples of 10,000)."""
        return next((e for e in run or [] if round(e["testAccuracy"] * 10000) >= round(target * 10000)), None)
    def best(run):
        return max(run or [], key=lambda e: e["testAccuracy"], default=None)
    def reached(e, target):
        return (f">= {target:.3f} at epoch {e['epoch']}, {e['fitSeconds']:.1f} s of fit ({e['testAccuracy']:.4f})"
                if e else f"not >= {target:.3f}")
    def best_text(run, epochs):
        b = best(run)
        return f"best {b['testAccuracy']:.4f} at epoch {b['epoch']} of {epochs}" if b else "no epoch"
    print("time to a test accuracy (the test set evaluated after every epoch, outside the epochs' times; "
          "fit = the epochs' own times, validation passes included):")
    speedrun = milestones.get("speedrun")
    if speedrun:
        print(f"  {'dnb notebooks/speedrun.dnb':34}{speedrun['testAccuracy']:.4f} after {speedrun['epochs']} epochs, "
              f"{speedrun['fitSeconds']:.2f} s of fit (whole run {speedrun['seconds']:.2f} s)")
    kconv = keras.get("conv", {})
    if os.path.exists(f"{work}/keras-990.json"):
        kconv = json.load(open(f"{work}/keras-990.json"))
    keras_990 = first(kconv.get("epochTests"), 0.990)
    if "epochTests" in kconv:
        print(f"  {'Keras keras-io convnet':34}{reached(keras_990, 0.990)}; "
              + ("stopped there" if kconv.get("stoppedAt") and keras_990 else
                 best_text(kconv["epochTests"], kconv.get("epochsTrained", kconv["epochs"]))))
    time_to = milestones.get("timeTo")
    if time_to:
        print(f"  {'dnb ' + time_to['title'] + ' recipe':34}{reached(time_to.get('reached'), time_to['target'])}; "
              + ("stopped there" if time_to.get("reached") else best_text(time_to["epochs"], time_to["maxEpochs"])))
    augmentation = milestones.get("augmentation")
    if augmentation:
        share = augmentation["share"]
        print(f"augmentation, {augmentation['title']} (1-epoch fits, {augmentation['runs']} each way, taking turns): "
              f"best epoch {augmentation['bestWith']:.2f} s with, {augmentation['bestWithout']:.2f} s without")
        checks.append(("augmentation's share of an epoch <= 5%", share <= 0.05,
                       f"{100 * share:.1f}% ({augmentation['bestWith']:.2f} s with, "
                       f"{augmentation['bestWithout']:.2f} s without)"))
    if speedrun:
        scale = (f"Keras's keras-io recipe, same run: {reached(keras_990, 0.990)}" if keras_990 else
                 f"Keras's keras-io recipe, same run: not >= 0.990 in {kconv.get('epochsTrained', kconv.get('epochs'))} epochs" if kconv else "")
        ok = round(speedrun["testAccuracy"] * 10000) >= 9900 and speedrun["fitSeconds"] <= 10
        checks.append(("speedrun.dnb: >= 0.990 test accuracy with <= 10 s of fit", ok,
                       f"{speedrun['testAccuracy']:.4f} with {speedrun['fitSeconds']:.2f} s of fit"
                       + (f" ({scale})" if scale else "")))
    if time_to:
        e = time_to.get("reached")
        kbest = None if kconv.get("stoppedAt") else best(kconv.get("epochTests"))
        checks.append((f"{time_to['title']}'s recipe reaches >= {time_to['target']:.3f} test accuracy "
                       f"within its {plural(time_to['maxEpochs'], 'epoch')}", e is not None,
                       (f"epoch {e['epoch']}, {e['fitSeconds']:.1f} s of fit ({e['testAccuracy']:.4f})" if e
                        else best_text(time_to["epochs"], time_to["maxEpochs"]))
                       + (f"; Keras's keras-io recipe's best: {kbest['testAccuracy']:.4f}" if kbest else "")))

print()
for name, ok, value in checks:
    print(f"  {'PASS' if ok else 'MISS'}  {name}: {value}")
PY
