// Commander helpers for repeatable port options: `--port 30041 --port 31000-32767` or `--port 30041,31000-32767`.
import { InvalidArgumentError } from 'commander';
import { normalizePorts, parsePortSpec, type PortRange } from '../capture/ports.js';

/** argParser for a repeatable option collecting port specs as strings. */
export function collectPorts(value: string, previous: string[] | undefined): string[] {
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of parts) {
    try {
      parsePortSpec(p);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  }
  return [...(previous ?? []), ...parts];
}

export function portRanges(values: readonly string[] | undefined): PortRange[] {
  return normalizePorts(values ?? []);
}

export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

export function positiveNumber(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

export function oneOf<T extends string>(name: string, values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    return v as T;
  };
}
