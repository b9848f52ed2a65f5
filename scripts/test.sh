#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors, and runs every test:
# unit, end-to-end (real binary over HTTP), replay, conformance, reliability, Docker file
# checks, a short bounded fuzz run, and the sanitizer runs (ASan+UBSan, TSan).
# Exit status is non-zero on any failure.
# Environment: JOBS (nproc), EMUSCIM_SKIP_SANITIZERS=1, EMUSCIM_SKIP_FUZZ=1, FUZZ_SECONDS (10).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stage() { echo "== [$(( $(date +%s) - start )) s] $*"; }
scripts/install-deps.sh --with-test-tools

stage "build (warnings are errors)"
scripts/build.sh
stage "ctest"
(cd build && ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 300)

if [[ "${EMUSCIM_SKIP_FUZZ:-0}" != 1 && -x scripts/fuzz.sh ]]; then
  stage "fuzz (bounded)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-10} EMUSCIM_WARNINGS_AS_ERRORS=ON scripts/fuzz.sh
fi

if [[ "${EMUSCIM_SKIP_SANITIZERS:-0}" != 1 && -x scripts/sanitizers.sh ]]; then
  stage "sanitizers"
  scripts/sanitizers.sh
fi
stage "all tests passed"
