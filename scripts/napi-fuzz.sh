#!/usr/bin/env bash
# Fuzzes the addon's N-API surface (fuzz/napi/surface.mjs) under ASan+UBSan for a bounded time:
# several seeds one after another in the main thread, then one run that also starts worker_threads
# running the same driver and terminates them at random moments. Exits non-zero on any finding: the
# process crashed, aborted or hung, a sanitizer report was written, or the driver reported one
# (a native error without a code, an inherited setter run inside a native call, a broken result
# contract). Every finding prints its seed and the line that replays it.
#
#   bash scripts/napi-fuzz.sh                              # ASan build + 60 s in all
#   NAPI_FUZZ_SECONDS=300 bash scripts/napi-fuzz.sh        # longer
#   ASAN_SKIP_BUILD=1 bash scripts/napi-fuzz.sh            # reuse the sanitizer build of scripts/asan-test.sh
#   NAPI_FUZZ_PLAIN=1 NAPI_FUZZ_SECONDS=10 bash scripts/napi-fuzz.sh   # quick, against build/Release, no ASan
#   NAPI_FUZZ_SEED=1234 bash scripts/napi-fuzz.sh          # fixed seeds: 1234, 1235, …
#
# Environment:
#   NAPI_FUZZ_SECONDS  total fuzzing time (default 60), split evenly over the runs
#   NAPI_FUZZ_RUNS     single-thread runs, each with its own seed (default 3); one worker run follows
#                      (NAPI_FUZZ_WORKERS=0 leaves it out)
#   NAPI_FUZZ_SEED     first seed (default random); run i uses seed+i
#   NAPI_FUZZ_PLAIN=1  no sanitizers: the addon is $DISPTAP_NATIVE or build/Release/disptap.node
#   NAPI_FUZZ_REPLAY=0 do not replay a failing seed with --trace (on by default: it shows the ops
#                      that led there)
#   NAPI_FUZZ_STRICT=1 findings already reported (KNOWN in surface.mjs) fail the run too
#   NAPI_FUZZ_INJECT   kind@step, passed to the first run (the harness's own test: abort|segv|nocode|hang)
#   NAPI_FUZZ_GRACE    seconds a run may overrun its budget before it counts as hung (default 60);
#                      a hung run's threads are dumped with gdb (when installed) before it is killed
#   NAPI_FUZZ_STALL_SECONDS  the driver's watchdog reports a main thread stuck this long (default 45)
#   NAPI_FUZZ_PRELOAD  with NAPI_FUZZ_PLAIN=1: LD_PRELOAD for node (an instrumented DISPTAP_NATIVE)
#   NAPI_FUZZ_OUT      where logs go (default a fresh /tmp/disptap-napi-fuzz.XXXXXX, removed when clean)
#   ASAN_WORK, ASAN_CC, ASAN_SKIP_BUILD  as for scripts/asan-test.sh
#
# The sanitizer build is scripts/asan-test.sh's own (no second copy of its build lines): it is
# called with a vitest filter that matches no test file plus --passWithNoTests, so it copies the
# tree to $ASAN_WORK/src, builds the addon there with -fsanitize=address,undefined and stops. The
# runs then use its addon exactly as it does: LD_PRELOAD of the ASan runtime (only for node),
# DISPTAP_NATIVE pointing at that addon, reports to files (log_path) so none is lost.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
driver="$root/fuzz/napi/surface.mjs"
total="${NAPI_FUZZ_SECONDS:-60}"
runs="${NAPI_FUZZ_RUNS:-3}"
with_workers="${NAPI_FUZZ_WORKERS:-1}"
plain="${NAPI_FUZZ_PLAIN:-0}"
seed0="${NAPI_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')}"
work="${ASAN_WORK:-/tmp/disptap-asan}"

if [ -n "${NAPI_FUZZ_OUT:-}" ]; then
  out="$NAPI_FUZZ_OUT"
  made_out=0
  mkdir -p "$out"
else
  out="$(mktemp -d /tmp/disptap-napi-fuzz.XXXXXX)"
  made_out=1
fi
logs="$out/sanitizer"

preload=()
if [ "$plain" = "1" ]; then
  addon="${DISPTAP_NATIVE:-$root/build/Release/disptap.node}"
  if [ ! -f "$addon" ]; then
    echo "napi-fuzz: $addon not found: run npm run build:native (or set DISPTAP_NATIVE)" >&2
    exit 2
  fi
  # NAPI_FUZZ_PRELOAD: a runtime to preload into node anyway (the smoke test run by
  # scripts/asan-test.sh passes its ASan runtime: DISPTAP_NATIVE is the instrumented addon there).
  [ -n "${NAPI_FUZZ_PRELOAD:-}" ] && preload=(env "LD_PRELOAD=$NAPI_FUZZ_PRELOAD")
  echo "napi-fuzz: plain run (no sanitizers of its own) against $addon"
else
  if [ "${ASAN_CC:-clang}" = "gcc" ]; then
    runtime="$(gcc -print-file-name=libasan.so)"
  else
    runtime="$(clang -print-file-name=libclang_rt.asan-x86_64.so 2>/dev/null)"
  fi
  if [ ! -f "$runtime" ]; then
    echo "napi-fuzz: ASan runtime not found ($runtime); install clang libclang-rt-14-dev, or set NAPI_FUZZ_PLAIN=1" >&2
    exit 2
  fi
  addon="$work/src/build/Release/disptap.node"
  if [ "${ASAN_SKIP_BUILD:-0}" != "1" ] || [ ! -f "$addon" ]; then
    echo "napi-fuzz: building the sanitizer addon with scripts/asan-test.sh (no tests run)"
    # A filter that matches no test file + --passWithNoTests: asan-test.sh builds and stops.
    if ! ASAN_SKIP_BUILD=0 ASAN_WORK="$work" bash "$root/scripts/asan-test.sh" --passWithNoTests fuzz/napi/__build_only__ >"$out/build.log" 2>&1; then
      tail -40 "$out/build.log" >&2
      echo "napi-fuzz: sanitizer build failed (log $out/build.log)" >&2
      exit 1
    fi
    grep -E '^asan-test: built in' "$out/build.log" || true
  fi
  if [ "$(nm -D "$addon" 2>/dev/null | grep -c __asan_report)" = "0" ]; then
    echo "napi-fuzz: $addon is not instrumented" >&2
    exit 1
  fi
  mkdir -p "$logs"
  preload=(env "LD_PRELOAD=$runtime")
  export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
  echo "napi-fuzz: ASan+UBSan addon $addon (LD_PRELOAD=$runtime)"
fi
export DISPTAP_NATIVE="$addon"

nruns=$runs
[ "$with_workers" = "1" ] && nruns=$((runs + 1))
[ "$nruns" -lt 1 ] && nruns=1
per=$(awk -v t="$total" -v n="$nruns" 'BEGIN { p = t / n; if (p < 1) p = 1; printf "%.1f", p }')
# Beyond its own budget a run gets time to tear down (workers, final GC; ASan is slow): past that it hangs.
grace=$(awk -v p="$per" -v g="${NAPI_FUZZ_GRACE:-60}" 'BEGIN { printf "%d", g + p }')
echo "napi-fuzz: $nruns run(s) of ${per} s (first seed $seed0), logs in $out"

# Runs node with the given arguments, output to $1; kills it after $grace s, first writing every
# thread's backtrace (gdb, when installed) to $1.stacks so a hang says where it hung. Returns its
# exit status (137 when killed).
run_node() {
  local log=$1
  shift
  "${preload[@]}" node --expose-gc "$driver" "$@" >"$log" 2>&1 &
  local pid=$! t=0
  while kill -0 "$pid" 2>/dev/null && [ $t -lt $((grace * 10)) ]; do
    sleep 0.1
    t=$((t + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    if command -v gdb >/dev/null 2>&1; then
      timeout 120 gdb -p "$pid" -batch -ex 'thread apply all bt 30' >"$log.stacks" 2>&1 || true
    fi
    kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
}

env_line() {
  if [ "$plain" = "1" ]; then
    printf 'DISPTAP_NATIVE=%s' "$addon"
  else
    printf 'LD_PRELOAD=%s DISPTAP_NATIVE=%s ASAN_OPTIONS=detect_leaks=0:abort_on_error=1' "$runtime" "$addon"
  fi
}

status=0
summary=()
started_all=$(date +%s)
for ((i = 0; i < nruns; i++)); do
  seed=$(((seed0 + i) % 4294967296))
  mode=single
  args=(--seed "$seed" --seconds "$per")
  if [ "$with_workers" = "1" ] && [ $i -eq $((nruns - 1)) ]; then
    mode=workers
    args+=(--workers)
  fi
  inject=()
  [ $i -eq 0 ] && [ -n "${NAPI_FUZZ_INJECT:-}" ] && inject=(--inject "$NAPI_FUZZ_INJECT")
  log="$out/run-$i-$seed.log"
  rm -f "$logs"/* 2>/dev/null
  echo "napi-fuzz[$i]: seed $seed, $mode, ${per} s"
  t0=$(date +%s)
  run_node "$log" "${args[@]}" "${inject[@]}"
  rc=$?
  took=$(($(date +%s) - t0))
  reports=""
  [ -d "$logs" ] && reports=$(find "$logs" -type f -size +0 2>/dev/null | sort)
  why=""
  if [ $rc -eq 137 ]; then why="hung (killed after ${grace} s)"
  elif [ $rc -gt 128 ]; then why="died of signal $((rc - 128))"
  elif [ $rc -ne 0 ]; then why="exit $rc"
  fi
  [ -n "$reports" ] && why="${why:+$why, }sanitizer report"
  if [ -z "$why" ] && grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|FATAL ERROR|napi-fuzz: FINDING' "$log"; then why="report in the output"; fi
  if [ -z "$why" ] && ! grep -q '^napi-fuzz: ok' "$log"; then why="no completion line"; fi
  if [ -z "$why" ]; then
    steps=$(grep -oE 'steps=[0-9]+' "$log" | head -1)
    extra=$(grep -oE 'workers=[0-9]+ terminated=[0-9]+' "$log" | head -1)
    echo "napi-fuzz[$i]: ok ($steps${extra:+ $extra}, ${took} s)"
    grep -E '^napi-fuzz: (known findings|received|STALL)' "$log" | sed "s/^napi-fuzz:/napi-fuzz[$i]:/"
    summary+=("seed $seed $mode: ok ($steps${extra:+ $extra}, ${took} s)")
    continue
  fi
  status=1
  summary+=("seed $seed $mode: FINDING ($why)")
  # The finding's own first line (and the worker it came from) in the summary too: CI keeps only the
  # end of a long log, and the replay's trace printed below would push the details out of it.
  headline=$(grep -m1 -E 'napi-fuzz: (FINDING|STALL)|FATAL ERROR|ERROR: AddressSanitizer|runtime error:' "$log" | cut -c1-400)
  worker=$(grep -m1 -E '^napi-fuzz: \(in worker ' "$log" | cut -c1-200)
  [ -n "$headline" ] && summary+=("  $headline")
  [ -n "$worker" ] && summary+=("  $worker")
  {
    echo "napi-fuzz[$i]: FINDING: $why; seed $seed, mode $mode (log $log)"
    grep -E -A40 'napi-fuzz: (FINDING|STALL)' "$log" | head -60
    grep -E -B2 -A30 'FATAL ERROR|AddressSanitizer|runtime error:' "$log" | head -60
    if [ -z "$(grep -E 'napi-fuzz: (FINDING|STALL)|FATAL ERROR|AddressSanitizer' "$log")" ]; then tail -30 "$log"; fi
    if [ -f "$log.stacks" ]; then
      echo "---- the main thread when it was killed (all threads: $log.stacks)"
      awk '/^Thread 1 /{f=1} /^Thread /&&!/^Thread 1 /{f=0} f' "$log.stacks" | grep -E '^(Thread|#)' | head -25
    fi
    for f in $reports; do
      echo "---- sanitizer report $f"
      head -80 "$f"
      cp "$f" "$out/report-$i-$seed-$(basename "$f")"
    done
    echo "napi-fuzz[$i]: replay: $(env_line) node --expose-gc fuzz/napi/surface.mjs ${args[*]} ${inject[*]} --trace /tmp/napi-fuzz-$seed.trace"
  } >&2
  if [ "${NAPI_FUZZ_REPLAY:-1}" = "1" ]; then
    trace="$out/replay-$seed.trace"
    rm -f "$logs"/* 2>/dev/null
    run_node "$out/replay-$seed.log" "${args[@]}" "${inject[@]}" --trace "$trace"
    rrc=$?
    if [ $rrc -ne 0 ]; then
      echo "napi-fuzz[$i]: the replay with --trace failed too (exit $rrc); its last ops ($trace):" >&2
    else
      echo "napi-fuzz[$i]: the replay with --trace did NOT reproduce it (timing-dependent); its last ops ($trace):" >&2
    fi
    tail -25 "$trace" 2>/dev/null | sed 's/^/  /' >&2
  fi
done

echo "napi-fuzz summary ($(($(date +%s) - started_all)) s):"
printf '  %s\n' "${summary[@]}"
if [ $status -eq 0 ] && [ $made_out -eq 1 ]; then rm -rf "$out"; fi
[ $status -ne 0 ] && echo "napi-fuzz: FAILED (logs in $out)" >&2
exit $status
