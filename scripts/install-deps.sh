#!/usr/bin/env bash
# Installs what emuscim needs to build and test on Debian 12, as root. Only missing packages
# are installed, so a second run is quick. Used by the quick start, the test command, CI and
# the Docker build stage.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev nlohmann-json3-dev libsqlite3-dev libssl-dev libspdlog-dev libgtest-dev
)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  # Test-only tools: the OpenAPI validator, clang + libFuzzer runtime for the fuzz targets,
  # curl and openssl for the TLS and quick-start checks, the sqlite3 shell for the crash tests'
  # PRAGMA integrity_check.
  packages+=(python3 python3-jsonschema python3-yaml clang libclang-rt-14-dev curl openssl sqlite3)
  # The dashboard's browser tests (tests/browser): Node.js, Debian's Chromium, and npm unless the
  # installed Node.js brings its own (NodeSource's does, and conflicts with Debian's npm).
  packages+=(nodejs chromium)
  command -v npm >/dev/null || packages+=(npm)
fi

# The npm modules of the Node.js tests (tests/browser: playwright-core; tests/octokit: Octokit),
# from their lock files; a directory whose lock is installed already is skipped.
install_test_node_modules() {
  [[ "${1:-}" == "--with-test-tools" ]] || return 0
  local root dir
  root="$(cd "$(dirname "$0")/.." && pwd)"
  for dir in "$root/tests/browser" "$root/tests/octokit"; do
    [[ -f "$dir/package-lock.json" ]] || continue
    if cmp -s "$dir/package-lock.json" "$dir/node_modules/.emuscim-lock-stamp" 2>/dev/null; then
      echo "install-deps: ${dir#$root/} node modules present"
      continue
    fi
    echo "install-deps: npm ci in ${dir#$root/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) && cp "$dir/package-lock.json" "$dir/node_modules/.emuscim-lock-stamp"
  done
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  install_test_node_modules "${1:-}"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_test_node_modules "${1:-}"
