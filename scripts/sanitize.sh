#!/usr/bin/env bash
# Sanitizer stages of CI: `address` builds everything with ASan+UBSan and runs
# the unit and integration tests; `thread` builds the mock's unit tests with
# TSan and runs the concurrency tests (in-process, where TSan sees every
# thread); `fuzz` builds the libFuzzer targets (clang, ASan+UBSan) and gives
# each its short CTest run (label fuzz, 60 s each). The suite-power tests
# (every deviation, every planted bug) run once, in the plain stage: they
# measure the runner, not memory safety.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:?usage: scripts/sanitize.sh address|thread|fuzz}
jobs=$(nproc)
case "$stage" in
  address)
    dir=build-asan
    # -O1 -g1: line tables for the reports at a fraction of -O2 -g's compile
    # time; only what the tests run is built (no micro-benchmarks).
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
      -DPARTCHECK_SANITIZE=address,undefined >/dev/null
    targets=(partcheck unit_contract unit_net unit_mock unit_runner unit_bench)
    for f in tests/integration/*_test.cpp; do targets+=("it_$(basename "$f" .cpp)"); done
    cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # Left out besides the suite-power tests: running out of descriptors on
    # purpose, since the sanitizer runtime needs descriptors itself (UBSan's
    # vptr check probes memory through a pipe and, without one, reports a
    # valid object as invalid).
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" -L 'unit|integration' \
      -E 'RunnerMatrix\.EveryDeviationIsCaughtByAFailNamingItsRule|ThirdPartyTarget\.EveryPlantedBugIsAFailOfItsRule|MemoryBound\.(One|Four)|MockHostileTest\.WithoutFreeDescriptors'
    ;;
  thread)
    dir=build-tsan
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARTCHECK_SANITIZE=thread >/dev/null
    cmake --build "$dir" -j "$jobs" --target unit_mock
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" -R 'Concurrency'
    ;;
  fuzz)
    dir=build-fuzz
    bash scripts/setup.sh fuzz
    CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARTCHECK_FUZZ=ON >/dev/null
    cmake --build "$dir" -j "$jobs" --target fuzz_all
    # Each run is one process on one core: two at a time on two cores.
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" -L fuzz
    ;;
  *)
    echo "scripts/sanitize.sh: unknown stage '$stage' (address, thread or fuzz)" >&2
    exit 2
    ;;
esac
