#!/usr/bin/env bash
# Runs the test suite against sanitizer builds (GCC 12):
#   1. AddressSanitizer + UndefinedBehaviorSanitizer (build-asan, -O1 -g1): the server and every
#      unit-test program are built sanitized; the unit tests run, then the whole end-to-end suite
#      (replays, crash, concurrency and hostile-client tests included) drives the sanitized server.
#   2. ThreadSanitizer (build-tsan): the server only, built with Release's optimization
#      (-O3 -DNDEBUG, plus -g1 for line numbers in reports) and warnings as errors, so that this
#      build is also CI's check that a Release build compiles without warnings. It is driven by
#      the concurrency, crash, durability, replay and group suites. (Not the hostile-client tests:
#      they assert timeouts within a few hundred milliseconds, which TSan's slowdown breaks; ASan
#      runs them.)
# Any sanitizer report (they are written to files, one per process) fails the run, as does any
# failing test. The end-to-end client (tests/e2e) comes from the regular build (scripts/build.sh
# must have run): only the server is under test there, and the sanitized server is swapped in
# through EMUSCIM_E2E_BINARY. With SANITIZERS_FULL=1 the e2e client is built sanitized too and the
# whole ctest suite of build-asan runs (slower to build: what a developer runs before a release).
#
# Usage: scripts/sanitizers.sh [MODE...]        (default: asan tsan)
#   asan, tsan: build then test; asan-build, asan-test, tsan-build, tsan-test: one half (scripts/test.sh
#   builds in the background while it tests in the foreground).
# Environment: JOBS (nproc), SANITIZERS_FULL=1, ASAN_BUILD_DIR (build-asan), TSAN_BUILD_DIR (build-tsan),
#   BUILD_DIR (build: the regular build with the e2e client), ASAN_FLAGS (-O1 -g1; -Wno-maybe-uninitialized is always added),
#   TSAN_FLAGS (-O3 -DNDEBUG -g1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}
build=${BUILD_DIR:-build}
modes=("$@")
((${#modes[@]})) || modes=(asan tsan)

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

configure() {  # dir sanitizers build-type flags [cmake args...]
  local dir=$1 san=$2 type=$3 flags=$4 gen=()
  shift 4
  [[ -f $dir/CMakeCache.txt ]] || gen=("${generator[@]}")
  cmake -S . -B "$dir" "${gen[@]}" \
    -DCMAKE_BUILD_TYPE="$type" \
    -DCMAKE_CXX_FLAGS_"${type^^}"="$flags" \
    -DEMUSCIM_SANITIZE="$san" \
    -DEMUSCIM_BUILD_BENCH=OFF \
    -DEMUSCIM_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
}

# Fails if any sanitizer wrote a report into $1.
check_reports() {
  local dir=$1 what=$2
  shopt -s nullglob
  local reports=("$dir"/report.*)
  shopt -u nullglob
  if ((${#reports[@]})); then
    echo "sanitizers.sh: $what: ${#reports[@]} sanitizer report(s):" >&2
    for r in "${reports[@]}"; do
      echo "---- $r" >&2
      head -60 "$r" >&2
    done
    return 1
  fi
  echo "== $what: no sanitizer reports"
}

build_asan() {
  local dir=${ASAN_BUILD_DIR:-build-asan}
  echo "== asan+ubsan: configure and build $dir"
  local start=$(date +%s)
  # -O1 -g1: fast enough to build on two cores, line numbers in every report.
  # -Wno-maybe-uninitialized: GCC 12 warns falsely inside libstdc++'s <regex> and <functional> once
  # ASan instruments them (GCC's manual: sanitizers make this warning unreliable); the plain and
  # the Release (TSan) builds keep it as an error.
  configure "$dir" address,undefined RelWithDebInfo "${ASAN_FLAGS:--O1 -g1} -Wno-maybe-uninitialized" -DEMUSCIM_BUILD_UNIT_TESTS=ON || return 1
  local targets=(emuscim)
  # Every unit test binary (tests/unit/<module>) of this build.
  local unit
  mapfile -t unit < <(cmake --build "$dir" --target help | sed -n 's/^\(emuscim_[a-z]*_tests\):.*/\1/p' |
                      grep -v '^emuscim_e2e_tests$' || true)
  targets+=("${unit[@]}")
  [[ ${SANITIZERS_FULL:-0} == 1 ]] && targets+=(emuscim_e2e_tests)
  cmake --build "$dir" --target "${targets[@]}" -j "$jobs" || return 1
  echo "== asan+ubsan: built in $(( $(date +%s) - start )) s"
}

test_asan() {
  local dir=${ASAN_BUILD_DIR:-build-asan}
  local reports=$root/$dir/sanitizer-reports
  rm -rf "$reports"; mkdir -p "$reports"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$reports/report:strict_string_checks=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/report"
  echo "== asan+ubsan: unit tests"
  local rc=0 t=$(date +%s)
  (cd "$dir" && ctest -L unit --output-on-failure -j "$jobs" --timeout 300) || rc=1
  echo "== asan+ubsan: unit tests took $(( $(date +%s) - t )) s"
  echo "== asan+ubsan: end-to-end suite against the sanitized server"
  t=$(date +%s)
  if [[ ${SANITIZERS_FULL:-0} == 1 ]]; then
    (cd "$dir" && ctest -L e2e --output-on-failure -j "$jobs" --timeout 600) || rc=1
  else
    # Through ctest of the regular build: every test its own process and timeout.
    (cd "$build" && EMUSCIM_E2E_BINARY="$root/$dir/emuscim" \
       ctest -L e2e --output-on-failure -j "$jobs" --timeout 600) || rc=1
  fi
  echo "== asan+ubsan: end-to-end suite took $(( $(date +%s) - t )) s"
  check_reports "$reports" "asan+ubsan" || rc=1
  unset ASAN_OPTIONS UBSAN_OPTIONS
  return $rc
}

build_tsan() {
  local dir=${TSAN_BUILD_DIR:-build-tsan}
  echo "== tsan: configure and build $dir (server, Release optimization)"
  local start=$(date +%s)
  # GCC's -Wtsan: TSan does not model std::atomic_thread_fence, which Asio's scheduler uses
  # (its locks and atomics around it are modelled); the remaining risk is a false report, not a
  # missed race in emuscim's code.
  configure "$dir" thread Release "${TSAN_FLAGS:--O3 -DNDEBUG -g1} -Wno-tsan" -DEMUSCIM_BUILD_TESTS=OFF || return 1
  cmake --build "$dir" --target emuscim -j "$jobs" || return 1
  echo "== tsan: built in $(( $(date +%s) - start )) s"
}

test_tsan() {
  local dir=${TSAN_BUILD_DIR:-build-tsan}
  local reports=$root/$dir/sanitizer-reports
  rm -rf "$reports"; mkdir -p "$reports"
  export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$reports/report"
  echo "== tsan: concurrency, crash, durability, replay and group tests against the TSan server"
  local rc=0 t=$(date +%s)
  # TSan needs a non-randomized address layout on some kernels; setarch -R provides it when present.
  local wrap=()
  command -v setarch >/dev/null && wrap=(setarch "$(uname -m)" -R)
  (cd "$build" && EMUSCIM_E2E_BINARY="$root/$dir/emuscim" "${wrap[@]}" \
     ctest -R '^(Concurrency|Crash|Groups|Durability|Replay/ReplayFixture)\.' --output-on-failure -j "$jobs" \
       --timeout 600) || rc=1
  echo "== tsan: tests took $(( $(date +%s) - t )) s"
  check_reports "$reports" "tsan" || rc=1
  unset TSAN_OPTIONS
  return $rc
}

status=0
for m in "${modes[@]}"; do
  if [[ $m == *test || $m == asan || $m == tsan ]] && [[ ! -x $build/tests/e2e/emuscim_e2e_tests ]]; then
    echo "sanitizers.sh: $build/tests/e2e/emuscim_e2e_tests is missing; run scripts/build.sh first" >&2
    exit 2
  fi
  case $m in
    asan) build_asan && test_asan || status=1 ;;
    tsan) build_tsan && test_tsan || status=1 ;;
    asan-build) build_asan || status=1 ;;
    asan-test) test_asan || status=1 ;;
    tsan-build) build_tsan || status=1 ;;
    tsan-test) test_tsan || status=1 ;;
    *) echo "sanitizers.sh: unknown mode '$m' (asan, tsan, asan-build, asan-test, tsan-build, tsan-test)" >&2; exit 2 ;;
  esac
done
if ((status)); then echo "sanitizers: FAILED" >&2; exit 1; fi
echo "sanitizers: passed"
