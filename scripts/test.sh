#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every test. This is what CI
# runs (.ci/run) on a fresh 2-core Debian 12 machine; the budget is 30 minutes. Stages, and what
# each one covers:
#   build      RelWithDebInfo (-O2 -g), warnings as errors: the server, the e2e client, the
#              benchmark and its floor responder (the unit tests too with EMUSCIM_SKIP_SANITIZERS=1).
#   ctest      everything but the unit tests against that server: end-to-end suites, IdP replays,
#              reliability (crash, concurrency, hostile clients), OpenAPI conformance of every
#              recorded reply, Docker file checks.
#   fuzz       the libFuzzer targets (clang, ASan+UBSan), FUZZ_SECONDS each, two at a time.
#   asan       ASan+UBSan build (-O1 -g1) of the server and of every unit-test program: the unit
#              tests, then the whole end-to-end suite against the sanitized server.
#   tsan       TSan build of the server at Release's optimization (-O3 -DNDEBUG, + -g1): the
#              concurrency, crash, durability, replay and group suites against it. Being an -O3
#              build with warnings as errors, it is also CI's Release warning check.
# Each stage prints its start time, and a table of stage times closes the run.
# Exit status is non-zero on any failure.
# Environment: JOBS (nproc), EMUSCIM_SKIP_SANITIZERS=1, EMUSCIM_SKIP_FUZZ=1, FUZZ_SECONDS (10).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stage_name=""
stage_start=$start
stage_cpu=0
stage_times=()
# CPU seconds (user + system) of every finished child so far, from bash's `times`.
children_cpu() {
  times | sed -n 2p | awk '{ s = 0; for (i = 1; i <= 2; ++i) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%d", s }'
}
# Starts a stage; the table at the end gives each stage's wall time and the CPU time of its
# processes (on a busy machine the wall time grows, the CPU time much less).
stage() {
  local now cpu
  now=$(date +%s)
  cpu=$(children_cpu)
  [[ -n $stage_name ]] &&
    stage_times+=("$(printf '%-8s %6d s wall %6d s CPU' "$stage_name" $((now - stage_start)) $((cpu - stage_cpu)))")
  stage_name=$1
  stage_start=$now
  stage_cpu=$cpu
  shift
  echo "== [$((now - start)) s] $stage_name: $*"
}
jobs=${JOBS:-$(nproc)}
skip_sanitizers=${EMUSCIM_SKIP_SANITIZERS:-0}

scripts/install-deps.sh --with-test-tools

# With the sanitizers on, the unit tests are built and run in the ASan+UBSan build only: the
# same code, the same warnings, plus the sanitizers' checks.
unit_tests=OFF
[[ $skip_sanitizers == 1 ]] && unit_tests=ON
stage build "RelWithDebInfo, warnings are errors (unit tests: $unit_tests)"
EMUSCIM_REQUIRE_TEST_DEPS=ON EMUSCIM_BUILD_UNIT_TESTS=$unit_tests scripts/build.sh

stage ctest "every test of the regular build"
(cd build && ctest --output-on-failure -j "$jobs" --timeout 300)

if [[ "${EMUSCIM_SKIP_FUZZ:-0}" != 1 && -x scripts/fuzz.sh ]]; then
  stage fuzz "bounded, ${FUZZ_SECONDS:-10} s per target"
  FUZZ_SECONDS=${FUZZ_SECONDS:-10} EMUSCIM_WARNINGS_AS_ERRORS=ON scripts/fuzz.sh
fi

if [[ $skip_sanitizers != 1 && -x scripts/sanitizers.sh ]]; then
  stage asan "ASan+UBSan: unit tests and the e2e suite"
  scripts/sanitizers.sh asan
  stage tsan "TSan at -O3: concurrency, crash, durability, replay, groups"
  scripts/sanitizers.sh tsan
fi
stage done ""
echo "== stage times"
printf '  %s\n' "${stage_times[@]}"
echo "== total $(( $(date +%s) - start )) s wall, $(children_cpu) s CPU: all tests passed"
