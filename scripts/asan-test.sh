#!/usr/bin/env bash
# Runs the whole vitest suite against an ASan+UBSan build of the addon. Exits non-zero when a test
# fails or when any sanitizer report was written, even one from a child process whose test passed.
#
#   bash scripts/asan-test.sh                      # build + whole suite
#   bash scripts/asan-test.sh test/lifecycle.test.ts test/hardening   # build + some files
#   ASAN_SKIP_BUILD=1 bash scripts/asan-test.sh    # reuse the last sanitizer build
#
# How it works (and how to do it by hand):
#   1. The tree is copied to $ASAN_WORK/src (default /tmp/disptap-asan/src) without node_modules,
#      build/ and dist/; node_modules is a symlink. The normal build/ is never touched, so the
#      regular addon and anyone using it are unaffected.
#   2. node-gyp builds the addon there with clang, CXXFLAGS/LDFLAGS =
#      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1.
#      A shared object does not carry the ASan runtime: the process must start with it.
#   3. node runs with LD_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so) (the clang
#      runtime holds the UBSan handlers too; with gcc it would be $(gcc -print-file-name=libasan.so),
#      set ASAN_CC=gcc), DISPTAP_NATIVE=<that build>/disptap.node (src/sys/native.ts loads it instead of
#      build/Release), and ASAN_OPTIONS=detect_leaks=0: node and V8 keep allocations alive until
#      exit on purpose (isolate, code space, caches), so LeakSanitizer would report node, not us.
#      Leaks of ours are covered by the soak (bench/soak.mjs: RSS and fds flat over 10^6 datagrams)
#      and by the fuzzers, which run with detect_leaks=1.
#      UBSAN_OPTIONS=halt_on_error=1: the first undefined-behaviour report kills the process.
#   4. NODE_OPTIONS=--require scripts/asan-preload.cjs keeps LD_PRELOAD out of non-node children
#      (tshark and capinfos deadlock at exit with a preloaded ASan runtime; they are not under test).
#   5. Reports go to files (log_path) so none is lost in a child's captured stderr; any such file
#      fails the run and is printed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${ASAN_WORK:-/tmp/disptap-asan}"
src="$work/src"
logs="$work/logs"
cc_kind="${ASAN_CC:-clang}"

if [ "$cc_kind" = "gcc" ]; then
  CC=gcc CXX=g++
  runtime="$(gcc -print-file-name=libasan.so)"
else
  CC=clang CXX=clang++
  if ! command -v clang++ >/dev/null 2>&1; then
    echo "asan-test: clang++ not found (apt-get install clang libclang-rt-14-dev), or set ASAN_CC=gcc" >&2
    exit 2
  fi
  runtime="$(clang -print-file-name=libclang_rt.asan-x86_64.so)"
fi
if [ ! -f "$runtime" ]; then
  echo "asan-test: ASan runtime not found ($runtime); install libclang-rt-N-dev (clang) or libasan (gcc)" >&2
  exit 2
fi

if [ "${ASAN_SKIP_BUILD:-0}" != "1" ] || [ ! -f "$src/build/Release/disptap.node" ]; then
  echo "asan-test: copying the tree to $src"
  rm -rf "$src"
  mkdir -p "$src"
  # tar, not rsync: rsync is not installed everywhere.
  tar -C "$root" -c --exclude=./node_modules --exclude=./build --exclude=./dist --exclude=./.git . | tar -x -C "$src"
  ln -sfn "$root/node_modules" "$src/node_modules"
  flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
  echo "asan-test: building the addon with $CXX $flags"
  started=$(date +%s)
  (cd "$src" && CC=$CC CXX=$CXX LINK=$CXX CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
    node scripts/build-native.mjs >"$work/build.log" 2>&1) || {
    tail -40 "$work/build.log" >&2
    echo "asan-test: sanitizer build failed (log $work/build.log)" >&2
    exit 1
  }
  echo "asan-test: built in $(($(date +%s) - started)) s"
  # Tests that run dist/ (demo, CLI) see the copy's own compiled TypeScript.
  # A tsc error is reported but does not stop the run: vitest compiles the tests' own imports,
  # and a test that needs dist/ then fails on its own.
  (cd "$src" && node node_modules/typescript/bin/tsc -p tsconfig.build.json && node scripts/bundle-cli.mjs) ||
    echo "asan-test: WARNING: tsc -p tsconfig.build.json or the CLI bundle failed; tests that run dist/ will fail" >&2
fi
addon="$src/build/Release/disptap.node"
if [ "$(nm -D "$addon" | grep -c __asan_report)" = "0" ]; then
  echo "asan-test: $addon is not instrumented" >&2
  exit 1
fi

rm -rf "$logs"
mkdir -p "$logs"
chmod 1777 "$logs"  # children dropped to another uid (privileges test) can write reports too
export LD_PRELOAD="$runtime"
export DISPTAP_NATIVE="$addon"
export NODE_OPTIONS="--require $src/scripts/asan-preload.cjs ${NODE_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"

echo "asan-test: vitest with LD_PRELOAD=$runtime DISPTAP_NATIVE=$addon"
started=$(date +%s)
(cd "$src" && node node_modules/vitest/vitest.mjs run "$@")
status=$?
echo "asan-test: vitest exited $status after $(($(date +%s) - started)) s"

reports=$(find "$logs" -type f -size +0 | sort)
if [ -n "$reports" ]; then
  echo "asan-test: SANITIZER REPORTS:" >&2
  for f in $reports; do
    echo "---- $f" >&2
    cat "$f" >&2
  done
  exit 1
fi
echo "asan-test: no sanitizer reports"
exit $status
