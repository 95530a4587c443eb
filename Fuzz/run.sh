#!/usr/bin/env bash
# Runs every fuzzing harness (or those named) for SECONDS each under
# libFuzzer with AddressSanitizer, and prints per harness: executions,
# coverage (edges, features), corpus size and findings.
#
#   Fuzz/run.sh [SECONDS] [HARNESS...]        (make fuzz / make fuzz-smoke)
#
# Each harness starts from its committed seeds (Fuzz/Corpus/NAME) and a
# working corpus kept between runs (.build-fuzz/corpus/NAME, not committed;
# with FUZZ_FRESH=1, as make fuzz-smoke sets, a new empty one, so that
# replaying a large kept corpus cannot stretch a short run),
# with -max_len set to the format's limit (from the harness) and its
# dictionary. A finding (crash, hang over 10 s, more than 2.5 GB of memory)
# is minimized and kept in Tests/Fixtures/fuzz/NAME/, where the test suite
# replays it without sanitizers; commit it with the fix. Exits 0 when
# nothing was found, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
scratch=.build-fuzz
binary="$scratch/release/dnb-fuzz"
[ -x "$binary" ] || { echo "fuzz: $binary is missing; run make fuzz-build" >&2; exit 2; }

harnesses=$(DNB_FUZZ_TARGET=list "$binary")
[ $# -gt 0 ] && harnesses=$(echo "$harnesses" | awk -v want=" $* " 'index(want, " " $1 " ")')
[ -n "$harnesses" ] || { echo "fuzz: no harness named $*" >&2; exit 2; }

# Leak reports would flag the Swift runtime's caches; memory is bounded by -rss_limit_mb instead.
# New memory is filled with 0xbe up to 1 MiB (ASan's default stops at 4 KiB), so a C library
# that reads memory it never wrote (stb_image did) fails the same way on every run.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:max_malloc_fill_size=1048576:${ASAN_OPTIONS:-}"
status=0
summary=$(printf '%-11s %5s %12s %9s %6s %7s %6s  %s' harness secs executions exec/s cov ft corpus findings)
while read -r name max_len dictionary _; do
  corpus="$scratch/corpus/$name"
  [ "${FUZZ_FRESH:-0}" = 1 ] && corpus="$scratch/corpus-fresh/$name" && rm -rf "$corpus"
  artifacts="$scratch/findings/$name/"
  log="$scratch/logs/$name.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  rm -f "$artifacts"/*
  dict=()
  [ "$dictionary" != "-" ] && dict=(-dict="Fuzz/Dictionaries/$dictionary")
  echo "fuzz: $name for ${seconds}s (max_len $max_len)"
  started=$(date +%s)
  DNB_FUZZ_TARGET="$name" "$binary" "$corpus" "Fuzz/Corpus/$name" "${dict[@]}" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2560 \
    -artifact_prefix="$artifacts" -print_final_stats=1 -print_pcs=0 > "$log" 2>&1
  code=$?
  elapsed=$(( $(date +%s) - started ))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  units=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  found=()
  for artifact in "$artifacts"*; do
    [ -f "$artifact" ] || continue
    kept="Tests/Fixtures/fuzz/$name/$(basename "$artifact")"
    mkdir -p "$(dirname "$kept")"
    # A crash is shrunk to a small input that still fails; anything else is kept as found.
    DNB_FUZZ_TARGET="$name" "$binary" -minimize_crash=1 -max_total_time=60 -timeout=10 -rss_limit_mb=2560 \
      -exact_artifact_path="$kept" "$artifact" >> "$log" 2>&1
    [ -f "$kept" ] || cp "$artifact" "$kept"
    found+=("$kept")
  done
  if [ $code -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    status=1
    grep -m1 -E 'Assertion|Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY' "$log" | sed 's/^/  /'
    [ ${#found[@]} -gt 0 ] || found=("exit $code, see $log")
  fi
  line=$(printf '%-11s %5s %12s %9s %6s %7s %6s  %s' "$name" "$elapsed" "${executions:-?}" "${speed:-?}" \
    "${cov:-?}" "${ft:-?}" "${units:-?}" "${found[*]:-none}")
  echo "  $line"
  summary+=$'\n'"$line"
done <<< "$harnesses"
echo
echo "$summary"
exit $status
