#!/usr/bin/env bash
# Configures and builds emuscim. Environment:
#   BUILD_DIR (build), BUILD_TYPE (RelWithDebInfo), EMUSCIM_BUILD_TESTS (ON), EMUSCIM_BUILD_UNIT_TESTS (ON),
#   EMUSCIM_BUILD_BENCH (ON), EMUSCIM_WARNINGS_AS_ERRORS (ON), EMUSCIM_REQUIRE_TEST_DEPS (OFF: a missing
#   test-only dependency skips its tests; ON: it fails), EMUSCIM_SANITIZE (empty), TARGETS (all), JOBS (nproc),
#   CMAKE_CXX_COMPILER_LAUNCHER (e.g. ccache; read by CMake when the build dir is new)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
generator=()
# A new build dir uses Ninja when present; an existing one keeps the generator it was made with.
if [[ ! -f "$build_dir/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S . -B "$build_dir" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DEMUSCIM_BUILD_TESTS="${EMUSCIM_BUILD_TESTS:-ON}" \
  -DEMUSCIM_BUILD_UNIT_TESTS="${EMUSCIM_BUILD_UNIT_TESTS:-ON}" \
  -DEMUSCIM_BUILD_BENCH="${EMUSCIM_BUILD_BENCH:-ON}" \
  -DEMUSCIM_WARNINGS_AS_ERRORS="${EMUSCIM_WARNINGS_AS_ERRORS:-ON}" \
  -DEMUSCIM_REQUIRE_TEST_DEPS="${EMUSCIM_REQUIRE_TEST_DEPS:-OFF}" \
  -DEMUSCIM_SANITIZE="${EMUSCIM_SANITIZE:-}" >/dev/null
targets=()
[[ -n "${TARGETS:-}" ]] && targets=(--target ${TARGETS})
cmake --build "$build_dir" "${targets[@]}" -j "${JOBS:-$(nproc)}"
