// The passive options `watch` and `ntp` share (addPassiveOptions, passiveOptionsFrom). What a
// passive capture then does — records, --write as captured, filters, metrics — is tested through
// the real CLI: test/cli/passive-watch.test.ts (watch) and test/ntp/cli.test.ts (ntp).
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addPassiveOptions, passiveOptionsFrom } from '../../src/cli/sources/passive.js';

describe('passive options for the watch command', () => {
  it('adds --passive --iface --port (repeatable, ranges) and maps them', () => {
    const cmd = addPassiveOptions(new Command('watch').exitOverride());
    cmd.parse(['--passive', '--iface', 'lo', '--port', '30041', '--port', '31000-32767,40000', '--direction', 'in'], { from: 'user' });
    const o = passiveOptionsFrom(cmd.opts());
    expect(o).toEqual({ iface: 'lo', port: ['30041', '31000-32767', '40000'], direction: 'in' });
    expect(cmd.opts().passive).toBe(true);
    const bad = addPassiveOptions(new Command('watch').exitOverride().configureOutput({ writeErr: () => {} }));
    expect(() => bad.parse(['--port', '70000'], { from: 'user' })).toThrow(/not a port/);
  });

  it('defaults to every interface and maps --snap-length and --timestamps', () => {
    const cmd = addPassiveOptions(new Command('ntp').exitOverride());
    cmd.parse(['--passive', '--port', '123', '--snap-length', '200'], { from: 'user' });
    expect(passiveOptionsFrom({ ...cmd.opts(), timestamps: 'hardware' })).toEqual({ iface: 'any', port: ['123'], snapLength: 200, timestamps: 'hardware' });
  });
});
