#!/usr/bin/env bash
# Long fuzz runs (docs/fuzzing.md). Builds build-fuzz (clang, libFuzzer,
# ASan+UBSan) and runs each fuzz target in turn, or only the ones named:
#
#   bash scripts/fuzz.sh                          # every target, 10 minutes each
#   bash scripts/fuzz.sh -t 3600 fuzz_multipart   # one target for an hour
#   bash scripts/fuzz.sh -t 60 content_range admin_api   # the fuzz_ prefix is optional
#
# Corpora grow in build-fuzz/corpus/<target>/ (seeded from tests/fuzz/corpus/
# and kept between runs); crash, leak, timeout and out-of-memory inputs land
# in build-fuzz/crashes/<target>/. Replay one with: build-fuzz/<target> FILE.
# Regression inputs (tests/fuzz/corpus/<target>/regression_*) are replayed
# first; those that still fail are reported and left out of the run.
# Exit status 1 when any target found something or a regression input fails.
set -euo pipefail

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  echo "options: -t SECONDS per target (default 600), -j BUILD_JOBS (default 2), -l to list the targets"
}

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
seconds=600
jobs=2
all=(fuzz_content_range fuzz_request_target fuzz_multipart fuzz_api_json fuzz_admin_api fuzz_scenario_loader)

while getopts "t:j:lh" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    l) printf '%s\n' "${all[@]}"; exit 0 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

targets=()
for name in "$@"; do
  name=fuzz_${name#fuzz_}
  if [[ " ${all[*]} " != *" $name "* ]]; then
    echo "fuzz.sh: no target $name (have: ${all[*]})" >&2
    exit 2
  fi
  targets+=("$name")
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz.sh: needs clang and libFuzzer: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARTCHECK_FUZZ=ON
fi
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# On an out-of-memory input libFuzzer prints ASan's heap profile, which takes
# minutes to hours with deep allocation stacks (it is quadratic in them) and
# loses the input when a timeout kills it; two frames keep it to seconds.
# Replay an input without this for full allocation stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=2}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

found=0
summary=()
for name in "${targets[@]}"; do
  corpus=$build/corpus/$name
  crashes=$build/crashes/$name
  mkdir -p "$corpus" "$crashes"
  cp -R -n "$root/tests/fuzz/corpus/$name/." "$corpus/"  # new seeds join; grown inputs stay
  # Regression inputs (bugs found before) that still fail would stop the run
  # at once: report them and leave them out of this run's corpus.
  for input in "$corpus"/regression_*; do
    [ -e "$input" ] || continue
    if ! "$build/$name" -timeout=25 -rss_limit_mb=2048 "$input" >/dev/null 2>&1; then
      summary+=("$name: regression input $(basename "$input") still fails (replay: $build/$name tests/fuzz/corpus/$name/$(basename "$input"))")
      echo "${summary[-1]}"
      found=1
      rm "$input"
    fi
  done
  before=$(find "$crashes" -type f | sort)
  args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
        -artifact_prefix="$crashes/")
  dict=$root/tests/fuzz/dict/$name.dict
  [ -f "$dict" ] && args+=(-dict="$dict")
  log=$build/crashes/$name.log
  echo "== $name: ${seconds} s, corpus $(find "$corpus" -type f | wc -l) inputs (log: $log)"
  status=0
  "$build/$name" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  line="$name: ${executions:-?} executions, corpus $(find "$corpus" -type f | wc -l) inputs"
  new_files=$(comm -13 <(printf '%s\n' "$before") <(find "$crashes" -type f | sort) | sed '/^$/d')
  if [ "$status" -ne 0 ] || [ -n "$new_files" ]; then
    found=1
    line+=", FOUND SOMETHING (libFuzzer exit $status)"
    grep -a -E -A1 '^(==[0-9]+== ?ERROR|==fuzz invariant broken==|SUMMARY)' "$log" | head -6 || true
    while IFS= read -r file; do [ -n "$file" ] && line+=$'\n'"    $file"; done <<<"$new_files"
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "== executions per target (${seconds} s each)"
printf '%s\n' "${summary[@]}"
echo "replay an input: $build/<target> <file>   (crashes: $build/crashes/<target>/)"
exit $found
