// `disptap transit` through the real executable (dist/cli/main.js): a normal end exits 0, its
// --duration takes the forms every other command takes, the summary comes as every command's does
// (the last record, or `--- transit summary (reason, N s)` on stderr), and errors name the command.
import { describe, expect, it } from 'vitest';
import { captureSkipReason } from '../capture/helpers/privileges.js';
import { run, start } from './helpers/cli.js';
import { expectValidRecords } from './helpers/json-schema.js';

const skip = await captureSkipReason();
if (skip) console.warn(`[transit exit tests skipped] ${skip}`);

// Ports nothing sends to: the capture stays quiet.
const PORTS = ['--iface', 'lo', '--in', '39461', '--out', '39462'];

describe.skipIf(skip !== null)('disptap transit exit codes', () => {
  it('--duration 1s: stops after about a second with the summary, exit 0', async () => {
    const t0 = Date.now();
    const r = await run(['transit', ...PORTS, '--duration', '1s', '--json', '--timeout', '300ms']);
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(8000);
    expect(r.records[0]).toMatchObject({ type: 'listening', command: 'transit' });
    expect(r.records.at(-1)).toMatchObject({ type: 'summary', command: 'transit', reason: 'duration', pairs: 0 });
    expectValidRecords(r.records);
  });

  it('the capture buffer is 64 MiB by default, like watch --passive, and --rcvbuf sets it', async () => {
    for (const [args, asked] of [[[], 64 * 1024 * 1024], [['--rcvbuf', '1m'], 1024 * 1024]] as const) {
      const r = await run(['transit', ...PORTS, '--duration', '200ms', '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.records[0]).toMatchObject({ type: 'listening', command: 'transit' });
      // the capture's ring of that size, or (where the kernel refuses a ring) SO_RCVBUF: twice it
      expect([asked, 2 * asked]).toContain((r.records[0]!.passive as { recvBufferSize: number }).recvBufferSize);
    }
  });

  it('the old forms still work: a bare number of seconds, --timeout in ms', async () => {
    for (const d of ['0.5', '500ms']) {
      const t0 = Date.now();
      const r = await run(['transit', ...PORTS, '--duration', d, '--timeout', '300', '--quiet']);
      expect(r.code, `${d}: ${r.stderr}`).toBe(0);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
      // --quiet: nothing on stdout; the summary on stderr like every command's
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^--- transit summary \(duration, \d+\.\d s\)$/m);
      expect(r.stderr).toContain('pairs: 0');
    }
  });

  it('SIGINT ends it normally: exit 0', async () => {
    const p = start(['transit', ...PORTS]);
    await p.waitForStderr(/capturing on lo/);
    p.kill('SIGINT');
    expect(await p.exited()).toBe(0);
    expect(p.stderr()).toMatch(/^--- transit summary \(signal, \d+\.\d s\)$/m);
    expect(p.stderr()).toContain('pairs: 0');
  });

  it('bad values are usage errors (2); a failure is 1 and names the command', async () => {
    for (const d of ['0', 'abc', '-1s']) {
      const r = await run(['transit', ...PORTS, '--duration', d]);
      expect(r.code, d).toBe(2);
      expect(r.stderr).toContain('--duration');
    }
    const bad = await run(['transit', ...PORTS, '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    const badFilter = await run(['transit', ...PORTS, '-f', 'port']);
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toMatch(/^disptap transit: filter: /);
    const r = await run(['transit', '--iface', 'nosuchif0', '--in', '1', '--out', '2', '--duration', '1s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^disptap transit: /);
  });
});
