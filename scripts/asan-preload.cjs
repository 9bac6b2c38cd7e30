// Loaded into every node process of the sanitizer test run (NODE_OPTIONS=--require, set by
// scripts/asan-test.sh). Keeps the ASan runtime (LD_PRELOAD) in node processes only.
//
// Why: LD_PRELOAD is inherited by every child, and the tests start other programs too (tshark,
// capinfos, ip, setpriv…). Some of them do not survive a preloaded ASan runtime: capinfos/tshark
// deadlock at exit in p11-kit's destructor (freelocale under glibc's setlocale lock) and the test
// then hangs. Those programs are not under test, so they run exactly as they normally would;
// a child whose command line runs node (directly, or through `ip netns exec`, `setpriv`, `sh -c`)
// keeps the runtime, because it may load the instrumented addon, which cannot load without it.
'use strict';
const path = require('node:path');
const { ChildProcess } = require('node:child_process');

const execPath = process.execPath;
const runsNode = (s) =>
  typeof s === 'string' && (s.includes(execPath) || path.basename(s) === 'node' || /(^|[\s/;&|])node(\s|$)/.test(s));

function scrub(options) {
  if (!options || !Array.isArray(options.envPairs)) return;
  if ([options.file, ...(options.args || [])].some(runsNode)) return;
  options.envPairs = options.envPairs.filter((p) => !String(p).startsWith('LD_PRELOAD='));
}

// Every asynchronous spawn (spawn, exec, execFile, fork) ends in ChildProcess.prototype.spawn.
const spawnAsync = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function (options) {
  scrub(options);
  return spawnAsync.call(this, options);
};

// The synchronous ones (spawnSync, execSync, execFileSync) call the spawn_sync binding, looked up
// on the shared binding object at call time, so patching the object reaches them too.
// eslint-disable-next-line n/no-deprecated-api
const syncBinding = process.binding('spawn_sync');
const spawnSync = syncBinding.spawn;
syncBinding.spawn = function (options) {
  scrub(options);
  return spawnSync.call(this, options);
};
