// `--filter EXPR`: a small tcpdump-like language over what disptap knows about a datagram.
//
//   expr := or;  or := and ("or" and)*;  and := unary (["and"] unary)*;  unary := "not" unary | "(" expr ")" | term
//   terms: port N[-M] | src-port N | dst-port N | layer NAME | ia IA | src-ia IA | dst-ia IA
//          | [underlay|scion] (host|src|dst) ADDR[/LEN] | truncated | drops | error [CODE]
//
// `src X` matches when the underlay (IP) source or the SCION source host is in X — a SCION packet
// from host 10.0.0.100 arrives from a border router's underlay address, and `src 10.0.0.0/8` is
// meant to find it. `underlay src X` / `scion src X` look at one of the two only.
//
// `port` matches the UDP ports of the datagram and those of UDP inside SCION. `layer` matches any
// layer of the stack, case-insensitive (scion, udp, scmp, bfd, ntp, stun, payload, dns, …), so
// `layer ntp` finds plain NTP and NTP in SCION. An IA may use 0 as a wildcard: `ia 1-0` is all of
// ISD 1. Several --filter options must all match. `&&`, `||`, `!` work as and, or, not.
import ipaddr, { type IPv4, type IPv6 } from '../../sys/ipaddr.js';
import { tryParseIA } from '../../decode/index.js';
import { UsageError } from '../errors.js';

export interface FilterSubject {
  srcPort: number;
  dstPort: number;
  innerPorts?: { src: number; dst: number };
  layers: readonly string[];
  srcIA?: string;
  dstIA?: string;
  /** SCION host addresses (IP text) when the datagram is SCION with IP hosts. */
  srcHost?: string;
  dstHost?: string;
  /** Underlay (IP) addresses. */
  srcAddress: string;
  dstAddress?: string;
  truncated: boolean;
  dropsDelta: number;
  errorCode?: string;
}

export type Predicate = (s: FilterSubject) => boolean;

type AddressTerm = 'host' | 'src' | 'dst';

const KEYWORDS = new Set(['and', 'or', 'not', '(', ')']);

function tokenize(text: string): string[] {
  return text
    .replace(/\(|\)/g, (p) => ` ${p} `)
    .replace(/&&/g, ' and ')
    .replace(/\|\|/g, ' or ')
    .replace(/!(?!=)/g, ' not ')
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => (KEYWORDS.has(t.toLowerCase()) ? t.toLowerCase() : t));
}

function portRange(text: string | undefined, term: string): [number, number] {
  const m = text === undefined ? null : /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo > 65535 || hi > 65535 || lo > hi) throw new UsageError(`filter: '${term}' needs a port or range, e.g. ${term} 30041 or ${term} 31000-31010`);
  return [lo, hi];
}

function iaMatcher(text: string | undefined, term: string): (ia: string | undefined) => boolean {
  const parsed = text === undefined ? undefined : tryParseIA(text);
  if (!parsed) throw new UsageError(`filter: '${term}' needs an ISD-AS such as 1-ff00:0:110 (0 is a wildcard: 1-0)`);
  return (ia) => {
    if (ia === undefined) return false;
    const got = tryParseIA(ia);
    if (!got) return false;
    return (parsed.isd === 0 || parsed.isd === got.isd) && (parsed.as === 0 || parsed.as === got.as);
  };
}

function addrMatcher(text: string | undefined, term: string): (a: string | undefined) => boolean {
  if (text === undefined) throw new UsageError(`filter: '${term}' needs an address or prefix, e.g. ${term} 127.0.0.1 or ${term} fd00::/8`);
  let net: [IPv4 | IPv6, number];
  try {
    net = text.includes('/') ? ipaddr.parseCIDR(text) : (() => {
      const a = ipaddr.process(text);
      return [a, a.kind() === 'ipv4' ? 32 : 128] as [IPv4 | IPv6, number];
    })();
  } catch {
    throw new UsageError(`filter: '${text}' is not an address or prefix`);
  }
  return (a) => {
    if (a === undefined) return false;
    try {
      // ipaddr.process maps ::ffff:a.b.c.d (dual-stack sockets) back to IPv4.
      const v = ipaddr.process(a.split('%')[0]!);
      return v.kind() === net[0].kind() && v.match(net);
    } catch {
      return false;
    }
  };
}

class Parser {
  private i = 0;
  constructor(private readonly toks: string[], private readonly source: string) {}

  parse(): Predicate {
    if (this.toks.length === 0) throw new UsageError('filter: empty expression');
    const p = this.or();
    if (this.i < this.toks.length) throw new UsageError(`filter: unexpected '${this.toks[this.i]}' in '${this.source}'`);
    return p;
  }

  private peek(): string | undefined {
    return this.toks[this.i];
  }

  private next(): string | undefined {
    return this.toks[this.i++];
  }

  private or(): Predicate {
    const parts = [this.and()];
    while (this.peek() === 'or') {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : (s) => parts.some((p) => p(s));
  }

  private and(): Predicate {
    const parts = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (t === 'and') {
        this.i++;
        parts.push(this.unary());
      } else if (t !== undefined && t !== 'or' && t !== ')') parts.push(this.unary());
      else break;
    }
    return parts.length === 1 ? parts[0]! : (s) => parts.every((p) => p(s));
  }

  private unary(): Predicate {
    const t = this.peek();
    if (t === 'not') {
      this.i++;
      const p = this.unary();
      return (s) => !p(s);
    }
    if (t === '(') {
      this.i++;
      const p = this.or();
      if (this.next() !== ')') throw new UsageError(`filter: missing ')' in '${this.source}'`);
      return p;
    }
    return this.term();
  }

  private term(): Predicate {
    const t = this.next();
    if (t === undefined) throw new UsageError(`filter: expression ends too early: '${this.source}'`);
    switch (t.toLowerCase()) {
      case 'port': {
        const [lo, hi] = portRange(this.next(), 'port');
        const in_ = (p: number | undefined) => p !== undefined && p >= lo && p <= hi;
        return (s) => in_(s.srcPort) || in_(s.dstPort) || in_(s.innerPorts?.src) || in_(s.innerPorts?.dst);
      }
      case 'src-port': {
        const [lo, hi] = portRange(this.next(), 'src-port');
        return (s) => (s.srcPort >= lo && s.srcPort <= hi) || (s.innerPorts !== undefined && s.innerPorts.src >= lo && s.innerPorts.src <= hi);
      }
      case 'dst-port': {
        const [lo, hi] = portRange(this.next(), 'dst-port');
        return (s) => (s.dstPort >= lo && s.dstPort <= hi) || (s.innerPorts !== undefined && s.innerPorts.dst >= lo && s.innerPorts.dst <= hi);
      }
      case 'layer': {
        const name = this.next();
        if (name === undefined || KEYWORDS.has(name)) throw new UsageError("filter: 'layer' needs a name, e.g. layer scion, layer ntp, layer scmp");
        const want = name.toLowerCase();
        return (s) => s.layers.some((l) => l.toLowerCase() === want);
      }
      case 'ia': {
        const m = iaMatcher(this.next(), 'ia');
        return (s) => m(s.srcIA) || m(s.dstIA);
      }
      case 'src-ia': {
        const m = iaMatcher(this.next(), 'src-ia');
        return (s) => m(s.srcIA);
      }
      case 'dst-ia': {
        const m = iaMatcher(this.next(), 'dst-ia');
        return (s) => m(s.dstIA);
      }
      case 'host':
      case 'src':
      case 'dst':
        return this.addressTerm(t.toLowerCase() as AddressTerm, 'both');
      case 'underlay':
      case 'scion': {
        const scope = t.toLowerCase() as 'underlay' | 'scion';
        const which = this.next()?.toLowerCase();
        if (which !== 'host' && which !== 'src' && which !== 'dst') throw new UsageError(`filter: '${scope}' needs host, src or dst, e.g. ${scope} src 10.0.0.0/8`);
        return this.addressTerm(which, scope);
      }
      case 'truncated':
        return (s) => s.truncated;
      case 'drops':
        return (s) => s.dropsDelta > 0;
      case 'error': {
        // An optional decode error code (TRUNCATED, BAD_PATH, …) in capitals.
        const code = this.peek();
        if (code !== undefined && /^[A-Z][A-Z_]+$/.test(code)) {
          this.i++;
          return (s) => s.errorCode === code;
        }
        return (s) => s.errorCode !== undefined;
      }
      default:
        throw new UsageError(
          `filter: unknown term '${t}' (use port, src-port, dst-port, layer, ia, src-ia, dst-ia, host, src, dst, underlay, scion, truncated, drops, error)`,
        );
    }
  }

  /** host/src/dst over the underlay addresses, the SCION host addresses, or either ('both'). */
  private addressTerm(which: AddressTerm, scope: 'underlay' | 'scion' | 'both'): Predicate {
    const label = scope === 'both' ? which : `${scope} ${which}`;
    const m = addrMatcher(this.next(), label);
    const u = scope !== 'scion';
    const sc = scope !== 'underlay';
    const src = (s: FilterSubject) => (u && m(s.srcAddress)) || (sc && m(s.srcHost));
    const dst = (s: FilterSubject) => (u && m(s.dstAddress)) || (sc && m(s.dstHost));
    if (which === 'src') return src;
    if (which === 'dst') return dst;
    return (s) => src(s) || dst(s);
  }
}

/** One predicate for all --filter options (they must all match); null when there are none. */
export function compileFilters(exprs: readonly string[]): Predicate | null {
  if (exprs.length === 0) return null;
  const preds = exprs.map((e) => new Parser(tokenize(e), e).parse());
  return preds.length === 1 ? preds[0]! : (s) => preds.every((p) => p(s));
}
