#!/usr/bin/env bash
# One short fuzz run, as CTest runs it (tests/fuzz/CMakeLists.txt, label `fuzz`):
#   run_fuzz_test.sh BINARY SEED_DIR SECONDS CRASH_DIR [DICT]
# 1. Replays each regression input (SEED_DIR/regression_*: inputs that once
#    found a bug) on its own and reports the ones that still fail.
# 2. Fuzzes a copy of the seeds, without those still failing, in a temporary
#    directory (the source tree is never written), and prints the executions.
# Fails when a regression input still fails or libFuzzer found a crash, a
# leak, a timeout or an out-of-memory input; new inputs are kept in
# CRASH_DIR (crash-*, leak-*, timeout-*, oom-*) for a replay: BINARY FILE.
set -euo pipefail

binary=$1 seeds=$2 seconds=$3 crashes=$4 dict=${5:-}
name=$(basename "$binary")
work=$(mktemp -d "${TMPDIR:-/tmp}/partcheck-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$crashes"
cp -R "$seeds/." "$work/corpus/"

# On an out-of-memory input libFuzzer prints ASan's heap profile, which takes
# minutes to hours with deep allocation stacks (it is quadratic in them) and
# loses the input when a timeout kills it; two frames keep it to seconds.
# Replay an input without this for full allocation stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=2}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
limits=(-timeout=25 -rss_limit_mb=2048)

still_failing=0
for input in "$work"/corpus/regression_*; do
  [ -e "$input" ] || continue
  if ! "$binary" "${limits[@]}" "$input" >"$work/replay" 2>&1; then
    still_failing=$((still_failing + 1))
    why=$(grep -a -m1 -A1 -E '==fuzz invariant broken==|ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:' "$work/replay" | tr '\n' ' ' || true)
    echo "$name: regression input $(basename "$input") still fails: ${why:-see $binary $seeds/$(basename "$input")}"
    rm "$input"
  fi
done

args=("${limits[@]}" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 -artifact_prefix="$crashes/")
[ -n "$dict" ] && args+=(-dict="$dict")

status=0
"$binary" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || status=$?

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 || true)
corpus_size=$(find "$work/corpus" -type f | wc -l)
echo "$name: ${executions:-?} executions in ${seconds} s, corpus ${corpus_size} inputs${done_line:+ ($done_line)}"
if [ "$status" -ne 0 ]; then
  echo "$name: libFuzzer exited with $status; its log:"
  grep -a -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)' "$work/log" | tail -n 60
  echo "$name: inputs kept in $crashes:"
  ls -1 "$crashes"
fi
if [ "$still_failing" -gt 0 ]; then
  echo "$name: $still_failing regression input(s) still fail"
fi
[ "$status" -eq 0 ] && [ "$still_failing" -eq 0 ]
