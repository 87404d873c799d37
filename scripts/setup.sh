#!/usr/bin/env bash
# Installs everything partcheck needs to build, test and benchmark: Debian
# packages, then the Node tools pinned in tools/package-lock.json (Prism, which
# checks the mock's traffic against docs/openapi.yaml). Safe to run again:
# apt-get skips what is installed, npm runs only when the lock changed.
#   bash scripts/setup.sh          # build, test, benchmark
#   bash scripts/setup.sh fuzz     # also clang and libFuzzer (tests/fuzz, CI's fuzz stage)
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libboost-program-options1.81-dev
  libcpp-httplib-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libssl-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl iperf3 python3 python3-requests procps openssl
  chromium chromium-driver
)
# Node.js may come from elsewhere (a newer build); Debian's is enough for tools/.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
for group in "$@"; do
  case "$group" in
    fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "setup.sh: unknown group '$group' (fuzz)" >&2; exit 2 ;;
  esac
done

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
