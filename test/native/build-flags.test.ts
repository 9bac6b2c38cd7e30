// The addon has one exception model: none. node-addon-api is built with NAPI_DISABLE_CPP_EXCEPTIONS
// (errors are JS exceptions thrown through napi_throw), and binding.gyp compiles with
// -fno-exceptions. It used to add -fno-exceptions and remove it again in "cflags_cc!", so the
// addon was built with C++ exceptions on (unwind tables, the C++ personality routine) while nothing
// was meant to throw. Judged from the built binary: no personality routine, no exception tables.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const addon = process.env.DISPTAP_NATIVE ?? path.join(root, 'build', 'Release', 'disptap.node');
const tool = (name: string) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0;
const haveTools = tool('nm') && tool('readelf');

describe('build flags of the addon', () => {
  it.skipIf(!haveTools)('compiled without C++ exceptions: no personality routine, no .gcc_except_table', () => {
    expect(fs.existsSync(addon)).toBe(true);
    const nm = spawnSync('nm', ['-D', '--undefined-only', addon], { encoding: 'utf8' });
    expect(nm.status).toBe(0);
    expect(nm.stdout).not.toMatch(/__gxx_personality_v0|__cxa_begin_catch|__cxa_throw\b/);
    const sections = spawnSync('readelf', ['-S', '-W', addon], { encoding: 'utf8' });
    expect(sections.status).toBe(0);
    expect(sections.stdout).not.toContain('.gcc_except_table');
  });

  it('binding.gyp keeps -fno-exceptions (it is not removed again by "cflags_cc!")', () => {
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
    const removed = /"cflags_cc!"\s*:\s*\[([^\]]*)\]/.exec(gyp)?.[1] ?? '';
    expect(removed).not.toContain('-fno-exceptions');
    expect(gyp).toContain('NAPI_DISABLE_CPP_EXCEPTIONS');
  });
});
