#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors, and runs every test:
# unit, end-to-end (real binary over HTTP), replay, conformance, reliability, Docker file
# checks, a short bounded fuzz run, and the sanitizer builds. Exit status is non-zero on any failure.
# Environment: JOBS (nproc), EMUSCIM_SKIP_SANITIZERS=1, EMUSCIM_SKIP_FUZZ=1, FUZZ_SECONDS (10).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh --with-test-tools

echo "== build (warnings are errors)"
scripts/build.sh
echo "== ctest"
(cd build && ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 300)

if [[ "${EMUSCIM_SKIP_FUZZ:-0}" != 1 && -x scripts/fuzz.sh ]]; then
  echo "== fuzz (bounded)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-10} scripts/fuzz.sh
fi

if [[ "${EMUSCIM_SKIP_SANITIZERS:-0}" != 1 && -x scripts/sanitizers.sh ]]; then
  echo "== sanitizers"
  scripts/sanitizers.sh
fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
