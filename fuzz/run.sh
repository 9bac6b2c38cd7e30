#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined, no recovery) and runs
# each for FUZZ_SECONDS (default 60) on its seed corpus. Exits non-zero on any finding: a crash, an
# ASan/UBSan report, a leak, a timeout, an out-of-memory, or a harness invariant violation.
#
#   FUZZ_SECONDS=60 bash fuzz/run.sh            # every target
#   FUZZ_SECONDS=600 bash fuzz/run.sh cmsg      # one target, longer
#   bash fuzz/run.sh --build-only               # compile only (used by the smoke test)
#   FUZZ_SECONDS=0 bash fuzz/run.sh             # replay the seed corpus once, no new inputs
#
# Needs clang with the compiler-rt runtimes (Debian/Ubuntu: apt-get install clang libclang-rt-14-dev,
# or whatever clang-N + libclang-rt-N-dev the distribution has). Nothing here is seen by node-gyp.
#
# Work files go to FUZZ_OUT (default /tmp/disptap-fuzz): the binaries, a working corpus per target
# (new interesting inputs land there, never in the committed seed folders) and crash artifacts. To
# keep an interesting input as a seed, copy it into fuzz/corpus/<target>/ by hand.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
out="${FUZZ_OUT:-/tmp/disptap-fuzz}"
build_only=0
targets=()
for a in "$@"; do
  case "$a" in
    --build-only) build_only=1 ;;
    *) targets+=("$a") ;;
  esac
done

CXX="${FUZZ_CXX:-}"
if [ -z "$CXX" ]; then
  for c in clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14; do
    if command -v "$c" >/dev/null 2>&1; then CXX="$c"; break; fi
  done
fi
if [ -z "$CXX" ]; then
  echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

# target name -> "harness source..." (paths from the repo root). Every parser of bytes that come
# from the network or the kernel is here. A target whose files are not in the tree is skipped with
# a message, not an error.
declare -A FILES=(
  [cmsg]="fuzz/cmsg_fuzzer.cc native/cmsg/cmsg.cc"
  [sockaddr]="fuzz/sockaddr_fuzzer.cc native/sockaddr/sockaddr_codec.cc"
  [rtnetlink]="fuzz/rtnetlink_fuzzer.cc native/interfaces/rtnetlink.cc"
  # the passive-capture author's harness for the IPv4/IPv6/UDP packet parser
  [l3]="native/packet_socket/fuzz/l3_parse_fuzz.cc native/packet_socket/l3_parse.cc"
  # the TPACKET_V3 ring walker over crafted blocks (seeds: fuzz/ring-seeds.mjs)
  [ring]="native/packet_socket/fuzz/packet_ring_fuzz.cc native/packet_socket/packet_ring.cc"
  # the pcapng Enhanced Packet Block encoder over random capture arenas and jobs (seeds:
  # fuzz/pcapng-seeds.mjs)
  [pcapng]="native/pcapng/fuzz/epb_encode_fuzz.cc native/pcapng/epb_encode.cc"
  # a bound socket's payload copies and UDP checksums, against a plain second implementation
  [payload]="native/pcapng/fuzz/udp_payloads_fuzz.cc native/pcapng/udp_payloads.cc"
)
all_targets=(cmsg sockaddr rtnetlink l3 ring pcapng payload)
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

CXXFLAGS=(-std=c++17 -g -O1 -fno-omit-frame-pointer -Wall -Wextra
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
  -I"$root/native")

# halt_on_error/abort_on_error: any sanitizer report is a crash libFuzzer records as a finding.
# detect_leaks on: the parsers allocate nothing that should outlive a run, so a leak is a finding.
# Set here, not inherited (a caller's log_path or detect_leaks=0 would hide findings from this
# script); FUZZ_ASAN_OPTIONS / FUZZ_UBSAN_OPTIONS add to them.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1${FUZZ_ASAN_OPTIONS:+:$FUZZ_ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${FUZZ_UBSAN_OPTIONS:+:$FUZZ_UBSAN_OPTIONS}"
unset LD_PRELOAD  # the targets link their own (static) sanitizer runtimes

mkdir -p "$out"
status=0
summary=()
for t in "${targets[@]}"; do
  if [ -z "${FILES[$t]:-}" ]; then
    echo "fuzz: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  fi
  srcs=()
  missing=""
  for s in ${FILES[$t]}; do
    [ -f "$root/$s" ] || missing="$root/$s"
    srcs+=("$root/$s")
  done
  if [ -n "$missing" ]; then
    echo "fuzz[$t]: skipped, $missing is not in this tree"
    summary+=("$t: skipped (no ${missing#$root/})")
    continue
  fi
  bin="$out/${t}_fuzzer"
  echo "fuzz[$t]: building with $CXX"
  "$CXX" "${CXXFLAGS[@]}" "${srcs[@]}" -o "$bin"
  [ $build_only -eq 1 ] && { summary+=("$t: built"); continue; }

  seeds="$here/corpus/$t"
  work="$out/corpus/$t"
  arts="$out/artifacts/$t"
  rm -rf "$arts"  # findings of an earlier run must not fail this one (nor hide behind it)
  mkdir -p "$work" "$arts" "$seeds"
  dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
  log="$out/$t.log"
  if [ "$seconds" = "0" ]; then
    echo "fuzz[$t]: replaying $(ls "$seeds" | wc -l) seeds"
    args=(-runs=0 "$seeds")
  else
    echo "fuzz[$t]: fuzzing for ${seconds}s ($(ls "$seeds" | wc -l) seeds, working corpus $work)"
    # The first folder receives new inputs; the committed seeds are only read.
    args=(-max_total_time="$seconds" "$work" "$seeds")
  fi
  set +e
  "$bin" "${dict[@]}" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$arts/" "${args[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  speed=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -E '#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  if [ $rc -ne 0 ] || ls "$arts" | grep -q .; then
    echo "fuzz[$t]: FINDING (exit $rc); log $log, artifacts in $arts:" >&2
    ls -l "$arts" >&2 || true
    grep -E 'ERROR|runtime error|invariant violated|SUMMARY|Test unit written' "$log" >&2 || tail -40 "$log" >&2
    summary+=("$t: FAILED (exit $rc)")
    status=1
  else
    echo "fuzz[$t]: ok, ${execs:-?} runs, ${speed:-?} exec/s, ${cov:-cov ?}"
    if [ "$seconds" = "0" ]; then summary+=("$t: ok, ${execs:-?} seeds replayed, ${cov:-cov ?}")
    else summary+=("$t: ok, ${execs:-?} runs in ${seconds}s, ${speed:-?} exec/s, ${cov:-cov ?}"); fi
  fi
done
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit $status
