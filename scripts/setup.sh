#!/usr/bin/env bash
# Installs everything partcheck needs to build, test and benchmark, from Debian
# packages only. Safe to run again: apt-get skips what is already installed.
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
)
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
