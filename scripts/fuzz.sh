#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs each for a bounded
# time, JOBS of them at once (each on one core), on a copy of its seed corpus (tests/fuzz/corpus/<target>, never written
# here). Exit status is non-zero if the build fails or any target finds a crash, leak, timeout or
# broken invariant; the reproducer is left in $FUZZ_BUILD_DIR/fuzz-artifacts/<target>/ (emptied when that
# target runs again) and the grown working corpus in $FUZZ_BUILD_DIR/fuzz-work/<target>/. See docs/FUZZING.md.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS   per target (default: $FUZZ_SECONDS, else 20)
#   TARGET    filter patch_path user_decode group_decode patch_engine (default: all, or $FUZZ_TARGETS)
# Environment: FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_BUILD_DIR (build-fuzz), FUZZ_CXX (clang++),
#   FUZZ_RSS_MB (2048), FUZZ_TIMEOUT (10, seconds per input), FUZZ_ARGS (extra libFuzzer flags),
#   FUZZ_PARALLEL (targets run at once; default JOBS), FUZZ_PHASE (all; build: only build; run: only
#   run what is built), JOBS (nproc), EMUSCIM_WARNINGS_AS_ERRORS (OFF).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(filter patch_path user_decode group_decode patch_engine)
seconds=${FUZZ_SECONDS:-20}
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
targets=("$@")
if ((${#targets[@]} == 0)); then read -r -a targets <<< "${FUZZ_TARGETS:-${all_targets[*]}}"; fi
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (have: ${all_targets[*]})" >&2; exit 2; }
done

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=${FUZZ_CXX:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found; install clang and libclang-rt-14-dev (scripts/install-deps.sh --with-test-tools)" >&2
  exit 2
fi
fuzzer_rt=$("$cxx" -print-file-name=libclang_rt.fuzzer-x86_64.a)
if [[ ! -f $fuzzer_rt ]] && ! "$cxx" -print-runtime-dir >/dev/null 2>&1; then
  echo "fuzz.sh: the libFuzzer runtime of $cxx is missing (Debian: libclang-rt-14-dev)" >&2
  exit 2
fi

phase=${FUZZ_PHASE:-all}
case $phase in all|build|run) ;; *) echo "fuzz.sh: FUZZ_PHASE must be all, build or run" >&2; exit 2 ;; esac
if [[ $phase != run ]]; then
  echo "== fuzz: configure $build_dir ($cxx, address,undefined)"
  generator=()
  if [[ ! -f "$build_dir/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
  # -O1 -g without -DNDEBUG: assertions (nlohmann's JSON_ASSERT among them) stay on while fuzzing.
  cmake -S . -B "$build_dir" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DEMUSCIM_FUZZ=ON \
    -DEMUSCIM_SANITIZE=address,undefined \
    -DEMUSCIM_BUILD_TESTS=OFF \
    -DEMUSCIM_BUILD_BENCH=OFF \
    -DEMUSCIM_WARNINGS_AS_ERRORS="${EMUSCIM_WARNINGS_AS_ERRORS:-OFF}" >/dev/null
  echo "== fuzz: build"
  build_start=$(date +%s)
  build_targets=()
  for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
  cmake --build "$build_dir" --target "${build_targets[@]}" -j "${JOBS:-$(nproc)}"
  echo "== fuzz: built in $(( $(date +%s) - build_start )) s"

fi
[[ $phase == build ]] && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work="$build_dir/fuzz-work"
artifacts="$build_dir/fuzz-artifacts"
logs="$build_dir/fuzz-logs"
rm -rf "$work" "$logs"
mkdir -p "$work" "$artifacts" "$logs"

dict_for() { case $1 in filter|patch_path) echo tests/fuzz/filter.dict ;; *) echo tests/fuzz/json.dict ;; esac; }

# Runs one target; its exit status goes to $logs/<target>.rc.
run_target() {
  local t=$1 log="$logs/$1.log" rc=0
  # A copy: the run adds what it finds to its working corpus, and the repository's stays as committed.
  rm -rf "${artifacts:?}/$t"  # reproducers of an earlier run of this target go; save them first if needed
  mkdir -p "$work/$t" "$artifacts/$t"
  cp -r "tests/fuzz/corpus/$t/." "$work/$t/"
  # shellcheck disable=SC2086
  "$build_dir/tests/fuzz/fuzz_$t" "$work/$t" \
    -dict="$(dict_for "$t")" \
    -max_total_time="$seconds" \
    -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -timeout="${FUZZ_TIMEOUT:-10}" \
    -artifact_prefix="$artifacts/$t/" \
    -print_final_stats=1 \
    ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  echo "$rc" >"$logs/$t.rc"
}

# Each libFuzzer process is single-threaded: run FUZZ_PARALLEL (default JOBS) targets at once.
parallel=${FUZZ_PARALLEL:-${JOBS:-$(nproc)}}
((parallel >= 1)) || parallel=1
running=0
for t in "${targets[@]}"; do
  echo "== fuzz: $t for ${seconds}s (log $logs/$t.log)"
  run_target "$t" &
  running=$((running + 1))
  if ((running >= parallel)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=()
summary=()
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  rc=$(cat "$logs/$t.rc" 2>/dev/null || echo 99)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<< "$last")
  if ((rc != 0)); then
    failed+=("$t")
    summary+=("$(printf '%-14s FAILED (exit %d) execs=%s cov=%s ft=%s' "$t" "$rc" "${execs:-?}" "${cov:-?}" "${ft:-?}")")
    echo "fuzz.sh: $t failed (exit $rc). End of its log:" >&2
    grep -E 'FUZZ INVARIANT|ERROR: |SUMMARY: |runtime error|Test unit written|^    #[0-9]+ ' "$log" | head -40 >&2 || true
    tail -5 "$log" >&2
    for a in "$artifacts/$t"/*; do
      [[ -f $a ]] && echo "  reproduce: $build_dir/tests/fuzz/fuzz_$t $a" >&2
    done
  else
    summary+=("$(printf '%-14s ok  execs=%s cov=%s ft=%s corpus=%s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")")
  fi
done

echo "== fuzz: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: findings in: ${failed[*]} (reproducers in $artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} passed, 0 failed"
