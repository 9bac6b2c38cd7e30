/** summarize: one tcpdump-like line for anything the decoders return. */

import { hex16, hex32 } from './bytes.js';
import type { DispatcherEvent, FrameContent } from './dispatcher-framing.js';
import type { NtpDecodeResult, NtpTimestamp } from './ntp.js';
import type { DecodedPayload, RawPayload } from './payload.js';
import { formatHostAddr, type HostAddr } from './scion/address.js';
import type { ScionDecodeResult, ScionL4 } from './scion/decode.js';
import type { ExtensionHeader } from './scion/extensions.js';
import type { IA } from './scion/ia.js';
import type { PathHeader } from './scion/path.js';
import type { ChecksumStatus } from './scion/checksum.js';
import type { StunDecodeResult } from './stun.js';

/** Anything {@link summarize} and the decoders' JSON helpers take: a decode result of any layer or a dispatcher event. */
export type Summarizable = ScionDecodeResult | NtpDecodeResult | StunDecodeResult | RawPayload | DecodedPayload | DispatcherEvent;

function endpoint(ia: IA, host: HostAddr, port?: number): string {
  return `${ia.text},${formatHostAddr(host)}${port === undefined ? '' : `:${port}`}`;
}

function checksum(value: number, status: ChecksumStatus | undefined): string {
  if (!status) return `cksum ${hex16(value)} (unverified)`;
  return status.valid ? `cksum ${hex16(value)} ok` : `cksum ${hex16(value)} bad (expected ${hex16(status.expected)})`;
}

function pathText(p: PathHeader): string {
  switch (p.type) {
    case 'empty':
      return 'path Empty';
    case 'scion':
    case 'epic': {
      const s = p.type === 'scion' ? p : p.scion;
      const segs = s.meta.segLen.filter((n) => n > 0).join('+') || '0';
      return `path ${p.type === 'scion' ? 'SCION' : 'EPIC'} ${segs} hops INF${s.meta.currInf} HF${s.meta.currHf}`;
    }
    case 'onehop':
      return `path OneHop ${p.firstHop.consIngress}>${p.firstHop.consEgress}`;
    case 'raw':
      return `path ${p.name} ${p.data.length} B`;
  }
}

function extText(e: ExtensionHeader): string {
  const opts = e.options.map((o) => (o.kind === 'spao' ? `SPAO spi=${hex32(o.spi)} ${o.algorithmName} ts=${o.timestampSeq}` : o.kind === 'raw' ? `opt${o.optType}` : o.kind));
  return `${e.kind === 'hop-by-hop' ? 'HBH' : 'E2E'}[${opts.join(',')}]`;
}

function l4Text(l4: ScionL4, depth: number): string {
  switch (l4.type) {
    case 'udp': {
      let s = `UDP ${checksum(l4.checksum, l4.checksumStatus)}, length ${l4.payload.length}`;
      if (l4.application.ntp) s += `: ${ntpText(l4.application.ntp)}`;
      else if (l4.application.layer !== 'Payload') s += ` (${l4.application.layer})`;
      return s;
    }
    case 'scmp': {
      const name = l4.codeName === 'None' ? l4.typeName : `${l4.typeName}(${l4.codeName})`;
      let s = `SCMP ${name} ${checksum(l4.checksum, l4.checksumStatus)}`;
      const b = l4.body;
      switch (b.kind) {
        case 'echo':
          s += `, id ${b.identifier} seq ${b.sequence}, ${b.data.length} B`;
          break;
        case 'traceroute':
          s += `, id ${b.identifier} seq ${b.sequence}, ${b.ia.text} if ${b.interfaceId}`;
          break;
        case 'packet-too-big':
          s += `, mtu ${b.mtu}`;
          break;
        case 'parameter-problem':
          s += `, pointer ${b.pointer}`;
          break;
        case 'external-interface-down':
          s += `, ${b.ia.text} if ${b.interfaceId}`;
          break;
        case 'internal-connectivity-down':
          s += `, ${b.ia.text} if ${b.ingressInterfaceId}>${b.egressInterfaceId}`;
          break;
        case 'raw':
          s += `, ${b.data.length} B body`;
          break;
        case 'destination-unreachable':
          break;
      }
      if ('quote' in b) {
        s += `, quote ${b.quote.data.length} B`;
        if (b.quote.decoded && depth < 1) s += ` [${scionText(b.quote.decoded, depth + 1)}]`;
      }
      return s;
    }
    case 'bfd':
      return (
        `BFD v${l4.version} ${l4.stateName} diag ${l4.diagnosticName} mult ${l4.detectMultiplier} ` +
        `my ${hex32(l4.myDiscriminator)} your ${hex32(l4.yourDiscriminator)} ` +
        `tx ${l4.desiredMinTxInterval / 1000}ms rx ${l4.requiredMinRxInterval / 1000}ms`
      );
    case 'raw':
      return `${l4.protocolName} ${l4.data.length} B`;
  }
}

function scionText(r: ScionDecodeResult, depth = 0): string {
  if (!r.ok && r.recognised) {
    if (r.recognised.kind === 'stun') return stunText(r.recognised.stun);
    const h = r.recognised;
    return `SCION(legacy pre-2020) ${h.srcIA.text},${h.src} > ${h.dstIA.text},${h.dst}: ${h.nextHdrName}, total ${h.totalLen} B`;
  }
  const parts: string[] = [];
  const a = r.address;
  const l4 = r.l4;
  const ports = l4?.type === 'udp' ? [l4.srcPort, l4.dstPort] : [undefined, undefined];
  if (a) parts.push(`SCION ${endpoint(a.srcIA, a.src, ports[0])} > ${endpoint(a.dstIA, a.dst, ports[1])}:`);
  else parts.push('SCION');
  if (!r.ok) parts.push(`!${r.error.code}@${r.error.offset} ${r.error.message};`);
  if (l4) parts.push(l4Text(l4, depth) + ',');
  if (r.hopByHop) parts.push(extText(r.hopByHop) + ',');
  if (r.endToEnd) parts.push(extText(r.endToEnd) + ',');
  if (r.path) parts.push(pathText(r.path) + ',');
  if (r.common) parts.push(`tc ${'0x' + r.common.trafficClass.toString(16).padStart(2, '0')} flow ${'0x' + r.common.flowId.toString(16)}`);
  let s = parts.join(' ').replace(/[,;]$/, '');
  if (r.trailing) {
    s += `, +${r.trailing.data.length} B trailing`;
    const t = r.trailing.scionTime;
    if (t) s += ` [Scion Time trailer: kernel ${t.kernel.iso ?? '-'}${t.hardware.iso ? ` hw ${t.hardware.iso}` : ''} if ${t.interfaceId}]`;
  }
  if (r.warnings.length > 0) s += ` (${r.warnings.length} warning${r.warnings.length > 1 ? 's' : ''}: ${r.warnings.map((w) => w.code).join(', ')})`;
  return s;
}

function ts(t: NtpTimestamp): string {
  return t.iso ?? (t.raw === 0n ? '0' : `0x${t.raw.toString(16)}`);
}

function ntpText(r: NtpDecodeResult): string {
  if (!r.ok) return `NTP !${r.error.code}@${r.error.offset} ${r.error.message}`;
  switch (r.kind) {
    case 'control':
      return `NTPv${r.version} Control ${r.response ? 'response' : 'request'} ${r.opcodeName} seq ${r.sequence} status ${hex16(r.status)} assoc ${r.associationId} count ${r.count}`;
    case 'private':
      return `NTPv${r.version} Private ${r.response ? 'response' : 'request'} impl ${r.implementation} req ${r.requestCode} seq ${r.sequence}`;
    case 'header':
      return (
        `NTPv${r.version} ${r.modeName}, leap ${r.leapName}, stratum ${r.stratum}, poll ${r.poll}, precision ${r.precision}, ` +
        `root delay ${r.rootDelay.toFixed(6)}s disp ${r.rootDispersion.toFixed(6)}s, ref ${r.referenceIdText || '(unspec)'}, ` +
        `org ${ts(r.originTimestamp)}, rec ${ts(r.receiveTimestamp)}, xmt ${ts(r.transmitTimestamp)}`
      );
  }
}

function stunText(r: StunDecodeResult): string {
  if (!r.ok) return `STUN !${r.error.code}@${r.error.offset} ${r.error.message}`;
  const attrs = r.attributes.map((a) => (a.address ? `${a.name} ${a.address.ip}:${a.address.port}` : a.name));
  return `STUN ${r.methodName} ${r.className} txid ${r.transactionId}${attrs.length ? ` [${attrs.join(', ')}]` : ''}`;
}

function contentText(c: FrameContent): string {
  switch (c.kind) {
    case 'scion':
      return scionText(c.packet);
    case 'confirmation':
      return `registration confirmed, port ${c.port}`;
    case 'registration': {
      const r = c.registration;
      if (!r.ok) return `registration !${r.error.code}@${r.error.offset} ${r.error.message}`;
      let s = `registration ${r.ia.text},${r.publicAddress.ip}:${r.publicPort} proto ${r.l4Protocol}${r.scmp ? ' +scmp' : ''}`;
      if (r.bind) s += ` bind ${r.bind.address.ip}:${r.bind.port}`;
      if (r.svc) s += r.svc.timestampMode ? ` timestamps ${r.svc.name} (${hex16(r.svc.value)})` : ` svc ${r.svc.name}`;
      return s;
    }
  }
}

function dispatcherText(e: DispatcherEvent): string {
  switch (e.kind) {
    case 'frame': {
      const f = e.frame;
      const hop = f.address === undefined ? 'NONE' : `${f.addressTypeName} ${f.addressTypeName === 'IPv6' ? `[${f.address}]` : f.address}:${f.port}`;
      return `dispatcher @${e.offset} ${hop} len ${f.length}: ${contentText(f.content)}`;
    }
    case 'skipped':
      return `dispatcher @${e.offset} skipped ${e.length} B: ${e.error.message}`;
    case 'incomplete':
      return `dispatcher @${e.offset} incomplete: ${e.error.message}`;
  }
}

/** decodePayload results carry their UDP ports: print them first, as tcpdump does. */
function udpPrefix(x: Summarizable): string {
  return 'udp' in x ? `${x.udp.srcPort} > ${x.udp.dstPort} ` : '';
}

/** One line describing a decoded datagram, packet, NTP message or dispatcher event. */
export function summarize(x: Summarizable): string {
  return x.layer === 'dispatcher' ? dispatcherText(x) : udpPrefix(x) + summarizeContent(x);
}

/** summarize() without the "srcPort > dstPort " prefix (for callers that print the ports already). */
export function summarizeContent(x: Summarizable): string {
  switch (x.layer) {
    case 'scion':
      return scionText(x);
    case 'ntp':
      return ntpText(x);
    case 'stun':
      return stunText(x);
    case 'raw':
      return `${x.name} ${x.data.length} B`;
    case 'dispatcher':
      return dispatcherText(x);
  }
}
