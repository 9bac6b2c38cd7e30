// The per-packet metadata comment: one `disptap:` line of key=value pairs, readable in
// Wireshark's packet comments and parseable back by `disptap decode`.

/** Which clock stamped a packet: the NIC, the kernel, or the time of the read (no kernel stamp). */
export type TimestampSource = 'hardware' | 'software' | 'user';

/** What the `disptap:` metadata comment carries ({@link formatMetaComment}). */
export interface PacketMeta {
  timestampSource: TimestampSource;
  dst?: { address: string; port: number };
  ifIndex?: number;
  ttl?: number;
  tos?: number;
  /** Time from the kernel RX timestamp to the read in user space. */
  readDelayNs?: bigint;
  /** The socket's kernel drop counter (SO_RXQ_OVFL) as of this packet. */
  drops?: number | bigint;
}

/** The first word of the metadata comment. */
export const META_PREFIX = 'disptap:';

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** The `disptap:` metadata comment line the writer puts first in every packet's comments. */
export function formatMetaComment(m: PacketMeta): string {
  const parts = [META_PREFIX, `ts=${m.timestampSource}`];
  if (m.dst) parts.push(`dst=${endpoint(m.dst)}`);
  if (m.ifIndex !== undefined) parts.push(`ifindex=${m.ifIndex}`);
  if (m.ttl !== undefined) parts.push(`ttl=${m.ttl}`);
  if (m.tos !== undefined) parts.push(`tos=0x${m.tos.toString(16).padStart(2, '0')}`);
  if (m.readDelayNs !== undefined) parts.push(`read-delay=${m.readDelayNs}ns`);
  if (m.drops !== undefined) parts.push(`drops=${m.drops}`);
  return parts.join(' ');
}

/** key → value of the first `disptap:` comment, or null when there is none. */
export function parseMetaComment(comments: readonly string[]): Record<string, string> | null {
  const line = comments.find((c) => c.startsWith(META_PREFIX));
  if (line === undefined) return null;
  const out: Record<string, string> = {};
  for (const word of line.slice(META_PREFIX.length).trim().split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}
