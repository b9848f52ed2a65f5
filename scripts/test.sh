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
# The fuzz, ASan and TSan builds run in the background, one after the other, at a low CPU
# priority (nice 10), as soon as the regular build is done: they use the CPU the tests leave
# (the tests wait on the network, fsync and time-outs much of the time) and barely slow a test
# down. Each test stage waits for the build it needs. EMUSCIM_CI_SERIAL=1 builds each in the
# foreground instead, just before its tests.
# Each stage prints its start time, and a table of stage times (wall and CPU) closes the run.
# Exit status is non-zero on any failure.
# Environment: JOBS (nproc), EMUSCIM_SKIP_SANITIZERS=1, EMUSCIM_SKIP_FUZZ=1, FUZZ_SECONDS (10),
#   EMUSCIM_CI_SERIAL=1, CI_BG_PRIORITY (nice; idle: SCHED_IDLE; normal: compete as equals),
#   CI_LOG_DIR (build-ci-logs: the background builds' logs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
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
    stage_times+=("$(printf '%-16s %6d s wall %6d s CPU' "$stage_name" $((now - stage_start)) $((cpu - stage_cpu)))")
  stage_name=$1
  stage_start=$now
  stage_cpu=$cpu
  shift
  echo "== [$((now - start)) s] $stage_name: $*"
}
jobs=${JOBS:-$(nproc)}
export JOBS=$jobs
skip_sanitizers=${EMUSCIM_SKIP_SANITIZERS:-0}
skip_fuzz=${EMUSCIM_SKIP_FUZZ:-0}
[[ -x scripts/fuzz.sh ]] || skip_fuzz=1
[[ -x scripts/sanitizers.sh ]] || skip_sanitizers=1
serial=${EMUSCIM_CI_SERIAL:-0}
export FUZZ_SECONDS=${FUZZ_SECONDS:-10}
logs=${CI_LOG_DIR:-build-ci-logs}
rm -rf "$logs"; mkdir -p "$logs"
logs=$(cd "$logs" && pwd)

scripts/install-deps.sh --with-test-tools

# The builds after the regular one, in the order their tests run.
bg_steps=()
[[ $skip_fuzz != 1 ]] && bg_steps+=(fuzz)
[[ $skip_sanitizers != 1 ]] && bg_steps+=(asan tsan)
build_step() {  # fuzz | asan | tsan
  case $1 in
    fuzz) FUZZ_PHASE=build EMUSCIM_WARNINGS_AS_ERRORS=ON scripts/fuzz.sh ;;
    asan) scripts/sanitizers.sh asan-build ;;
    tsan) scripts/sanitizers.sh tsan-build ;;
  esac
}

# Background builder: each step leaves $logs/<step>.log and, when it ends, $logs/<step>.time
# ("wall user sys") and $logs/<step>.done or $logs/<step>.failed.
builder_pid=
run_builder() {
  # nice 10: a test that wants the CPU gets about 90% of a core against a build, yet the build
  # still moves on a machine that also runs other work (SCHED_IDLE would starve it there).
  case ${CI_BG_PRIORITY:-nice} in
    idle) chrt --idle -p 0 $BASHPID >/dev/null 2>&1 || renice -n 19 -p $BASHPID >/dev/null 2>&1 || true ;;
    nice) renice -n 10 -p $BASHPID >/dev/null 2>&1 || true ;;
    normal) ;;
    *) echo "test.sh: CI_BG_PRIORITY must be nice, idle or normal" >&2; return 1 ;;
  esac
  local s
  for s in "${bg_steps[@]}"; do
    local TIMEFORMAT='%R %U %S'
    if { time build_step "$s" >"$logs/$s.log" 2>&1; } 2>"$logs/$s.time"; then
      touch "$logs/$s.done"
    else
      touch "$logs/$s.failed"
      return 1
    fi
  done
}
kill_tree() {  # pid: that process and its descendants, children first
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
  kill "$1" 2>/dev/null || true
}
cleanup() { [[ -n $builder_pid ]] && kill_tree "$builder_pid"; return 0; }
trap cleanup EXIT
wait_build() {  # step: blocks until its background build is done; fails if it failed
  local s=$1
  if [[ $serial == 1 ]]; then
    build_step "$s"
    return
  fi
  while [[ ! -e $logs/$s.done && ! -e $logs/$s.failed ]]; do
    if ! kill -0 "$builder_pid" 2>/dev/null; then
      [[ -e $logs/$s.done || -e $logs/$s.failed ]] && break
      echo "test.sh: the background builder ended before building $s" >&2
      return 1
    fi
    sleep 2
  done
  echo "   (background $s build: $(awk '{ printf "%d s wall, %d s CPU", $1, $2 + $3 }' "$logs/$s.time" 2>/dev/null);" \
       "log $logs/$s.log)"
  if [[ -e $logs/$s.failed ]]; then
    echo "test.sh: the $s build failed; end of $logs/$s.log:" >&2
    tail -60 "$logs/$s.log" >&2
    return 1
  fi
}

# With the sanitizers on, the unit tests are built and run in the ASan+UBSan build only: the
# same code, the same warnings, plus the sanitizers' checks.
unit_tests=OFF
[[ $skip_sanitizers == 1 ]] && unit_tests=ON
stage build "RelWithDebInfo, warnings are errors (unit tests: $unit_tests)"
EMUSCIM_REQUIRE_TEST_DEPS=ON EMUSCIM_BUILD_UNIT_TESTS=$unit_tests scripts/build.sh

if [[ $serial != 1 && ${#bg_steps[@]} -gt 0 ]]; then
  run_builder &
  builder_pid=$!
  echo "   (background builds: ${bg_steps[*]}; logs in $logs)"
fi

stage ctest "every test of the regular build"
(cd build && ctest --output-on-failure -j "$jobs" --timeout 300)

if [[ $skip_fuzz != 1 ]]; then
  stage fuzz "bounded, $FUZZ_SECONDS s per target"
  wait_build fuzz
  FUZZ_PHASE=run scripts/fuzz.sh
fi

if [[ $skip_sanitizers != 1 ]]; then
  stage asan "ASan+UBSan: unit tests and the e2e suite"
  wait_build asan
  scripts/sanitizers.sh asan-test
  stage tsan "TSan at -O3: concurrency, crash, durability, replay, groups"
  wait_build tsan
  scripts/sanitizers.sh tsan-test
fi
if [[ -n $builder_pid ]]; then
  wait "$builder_pid" || true
  builder_pid=
fi
stage done ""
echo "== stage times (foreground; a test stage's time includes waiting for its build)"
printf '  %s\n' "${stage_times[@]}"
if [[ $serial != 1 ]]; then
  echo "== background builds (during the stages above)"
  for s in "${bg_steps[@]}"; do
    [[ -e $logs/$s.time ]] &&
      awk -v s="$s" '{ printf "  %-16s %6d s wall %6d s CPU\n", s " build", $1, $2 + $3 }' "$logs/$s.time"
  done
fi
echo "== total $(( $(date +%s) - start )) s wall, $(children_cpu) s CPU: all tests passed"
