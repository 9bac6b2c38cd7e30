// The control messages the receive path understands, as the native table states them (level, type,
// data length, decoder): the TS parser's 'short' check and the control-buffer sizing read it here
// instead of restating sizes.
import { native, type NativeCmsgKind } from '../sys/native.js';
import { cmsgSpace } from './macros.js';

export type CmsgKind = NativeCmsgKind & { name: string };

/** Every known message, by name ('SCM_TIMESTAMPING', 'IP_PKTINFO', …). */
export const CMSG_KINDS: ReadonlyMap<string, CmsgKind> = new Map(
  Object.entries(native.cmsgKinds).map(([name, k]) => [name, { ...k, name }] as const),
);

const byLevelType = new Map<number, CmsgKind>();
for (const k of CMSG_KINDS.values()) byLevelType.set(k.level * 0x1_0000 + k.type, k);

/** The known message with this (level, type). */
export function cmsgKind(level: number, type: number): CmsgKind | undefined {
  return byLevelType.get(level * 0x1_0000 + type);
}

/** CMSG_SPACE of the named message: what it takes in a receive control buffer. */
export function cmsgSpaceOf(name: string): number {
  const k = CMSG_KINDS.get(name);
  if (!k) throw new Error(`disptap: no control message named ${name} in the native table; rebuild the addon`);
  return cmsgSpace(k.length);
}
