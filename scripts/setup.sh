#!/usr/bin/env bash
# Installs the Debian packages kstream needs to build and test, skipping those already present.
# Idempotent: a second run installs nothing. Used by `make run`, `make test` and `.ci/run`.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  g++ clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libyaml-dev zlib1g-dev libre2-dev
  liblmdb-dev libboost1.81-dev libssl-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  etcd-server etcd-client
  python3-kubernetes
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js and npm run the JavaScript client's end-to-end test; a machine may have them from
# elsewhere (NodeSource), so the commands are checked, not the Debian packages.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# The JavaScript client (@kubernetes/client-node from the npm registry, the versions pinned
# by tests/e2e/js/package-lock.json), installed next to the test script that uses it.
js_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/e2e/js"
if ! cmp -s "$js_dir/package-lock.json" "$js_dir/node_modules/.kstream-installed-lock"; then
  echo "setup: npm ci in tests/e2e/js"
  (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.kstream-installed-lock)
fi
