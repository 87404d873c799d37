#!/usr/bin/env bash
# Installs everything partcheck needs to build, test and benchmark: Debian
# packages, then the Node tools pinned in tools/package-lock.json (Prism, which
# checks the mock's traffic against docs/openapi.yaml). Safe to run again:
# apt-get skips what is installed, npm runs only when the lock changed.
#   bash scripts/setup.sh          # build, test, benchmark
#   bash scripts/setup.sh fuzz     # also clang and libFuzzer (tests/fuzz, CI's fuzz stage)
#   bash scripts/setup.sh --build-only   # only what configuring and building needs:
#                                        # no test tools, no Node (the Containerfile's build stage)
set -euo pipefail

# Configuring needs the test libraries too (the top CMakeLists.txt finds
# GoogleTest and Google Benchmark), even to build the partcheck binary alone.
packages=(
  build-essential g++ cmake ninja-build pkg-config ca-certificates
  libboost1.81-dev libboost-program-options1.81-dev
  libcpp-httplib-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libssl-dev libxxhash-dev libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# What the tests, benchmarks and reports drive besides the build.
tool_packages=(
  git curl iperf3 python3 python3-requests procps openssl
  chromium chromium-driver
)
build_only=false
for group in "$@"; do
  case "$group" in
    --build-only) build_only=true ;;
    fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "setup.sh: unknown group '$group' (fuzz, --build-only)" >&2; exit 2 ;;
  esac
done
if [ "$build_only" = false ]; then
  packages+=("${tool_packages[@]}")
  # Node.js may come from elsewhere (a newer build); Debian's is enough for tools/.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
  fi
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it calls apt-get)" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup.sh: all ${#packages[@]} packages present"
if [ "$build_only" = true ]; then exit 0; fi

# tools/node_modules is installed from the lock as it is (npm ci). A copy of
# the lock inside node_modules records what was installed, so an unchanged
# lock costs nothing and a changed one reinstalls.
tools="$(cd "$(dirname "$0")/../tools" && pwd)"
installed_lock="$tools/node_modules/.partcheck-installed-lock.json"
if ! cmp -s "$tools/package-lock.json" "$installed_lock"; then
  (cd "$tools" && npm ci --no-audit --no-fund)
  cp "$tools/package-lock.json" "$installed_lock"
fi
prism_version=$("$tools/node_modules/.bin/prism" --version)
echo "setup.sh: node tools present (prism $prism_version)"
