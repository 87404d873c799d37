#!/usr/bin/env bash
# Sanitizer stages of CI: `address` builds everything with ASan+UBSan and runs
# the unit and integration tests; `thread` builds the mock's unit tests with
# TSan and runs the concurrency tests (in-process, where TSan sees every
# thread). The suite-power tests (every deviation, every planted bug) run once,
# in the plain stage: they measure the runner, not memory safety.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:?usage: scripts/sanitize.sh address|thread}
jobs=$(nproc)
case "$stage" in
  address)
    dir=build-asan
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARTCHECK_SANITIZE=address,undefined >/dev/null
    cmake --build "$dir" -j "$jobs"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" -L 'unit|integration' \
      -E 'RunnerMatrix\.EveryDeviationIsCaughtByAFailNamingItsRule|ThirdPartyTarget\.EveryPlantedBugIsAFailOfItsRule|MemoryBound\.(One|Four)'
    ;;
  thread)
    dir=build-tsan
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARTCHECK_SANITIZE=thread >/dev/null
    cmake --build "$dir" -j "$jobs" --target unit_mock
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" -R 'Concurrency'
    ;;
  *)
    echo "scripts/sanitize.sh: unknown stage '$stage' (address or thread)" >&2
    exit 2
    ;;
esac
