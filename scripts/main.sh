#!/usr/bin/env bash
# README command 1: install, build, then run the conformance suite against the
# embedded mock server and write the reports (reports/latest/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/partcheck run "$@"
