// One entry of a compose service's `ports`, in every syntax Compose takes: a bare number, the short
// string `[host_ip:][published:]target[/protocol]` (IPv6 in brackets), and the long form mapping
// `{ target, published, host_ip, protocol, mode }`. Ranges are refused with a sentence: Manito
// gives each service one port, so each published port is listed on its own.
import { interpolate, type Variables } from './interpolate';

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

export interface ComposePort {
  /** The port inside the container. */
  container: number;
  /** The host port the file publishes; null when Docker would pick one. */
  published: number | null;
  hostIp: string | null;
  protocol: PortProtocol;
}

export type PortParse = { ok: true; port: ComposePort } | { ok: false; message: string };

const fail = (message: string): PortParse => ({ ok: false, message });

/** A port number or a one-port range `80-80`; `what` names it in the sentence. */
function portNumber(text: string, what: string): number | string {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    if (range[1] === range[2]) return portNumber(range[1]!, what);
    return `${what} ${text} is a range; Manito gives each service one port, so list each port on its own line`;
  }
  if (!/^\d+$/.test(text)) return `${what} "${text}" is not a port number`;
  const n = Number(text);
  if (n < 1 || n > 65535) return `${what} ${text} is outside 1-65535`;
  return n;
}

function protocolOf(text: string | undefined): PortProtocol | string {
  const p = (text ?? 'tcp').toLowerCase();
  return p === 'tcp' || p === 'udp' || p === 'sctp' ? p : `protocol "${text}" is not tcp, udp or sctp`;
}

function build(target: string, published: string | null, hostIp: string | null, protocolText: string | undefined): PortParse {
  const container = portNumber(target, 'container port');
  if (typeof container === 'string') return fail(container);
  const host = published === null || published === '' ? null : portNumber(published, 'published port');
  if (typeof host === 'string') return fail(host);
  const protocol = protocolOf(protocolText);
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') return fail(protocol);
  return { ok: true, port: { container, published: host, hostIp: hostIp || null, protocol } };
}

/** `"127.0.0.1:8080:80/tcp"`, `"[::1]:8080:80"`, `"8080:80"`, `"80"`, `"127.0.0.1::80"`. */
export function parseShortPort(spec: string): PortParse {
  const slash = spec.lastIndexOf('/');
  const body = slash >= 0 ? spec.slice(0, slash) : spec;
  const protocol = slash >= 0 ? spec.slice(slash + 1) : undefined;
  let hostIp: string | null = null;
  let rest = body;
  if (body.startsWith('[')) {
    const close = body.indexOf(']');
    if (close < 0 || body[close + 1] !== ':') return fail(`"${spec}": an IPv6 address in brackets must be followed by ":"`);
    hostIp = body.slice(1, close);
    rest = body.slice(close + 2);
  }
  const parts = rest.split(':');
  if (hostIp !== null) {
    if (parts.length !== 2) return fail(`"${spec}" is not [host_ip]:published:target`);
    return build(parts[1]!, parts[0]!, hostIp, protocol);
  }
  switch (parts.length) {
    case 1: return build(parts[0]!, null, null, protocol);
    case 2: return build(parts[1]!, parts[0]!, null, protocol);
    case 3: return build(parts[2]!, parts[1]!, parts[0]!, protocol);
    default: return fail(`"${spec}" has too many ":"; write an IPv6 host address in brackets, e.g. "[::1]:8080:80"`);
  }
}

const scalarText = (v: unknown): string | undefined => (typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' ? v : undefined);

/** One `ports` entry as Compose read it (a number, a string or a long-form map), variables substituted. */
export function parsePortEntry(entry: unknown, vars: Variables): PortParse {
  try {
    if (typeof entry === 'number') return Number.isInteger(entry) ? build(String(entry), null, null, undefined) : fail(`${entry} is not a port number`);
    if (typeof entry === 'string') return parseShortPort(interpolate(entry.trim(), vars));
    if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      const e = entry as Record<string, unknown>;
      const text = (v: unknown) => { const s = scalarText(v); return s === undefined ? undefined : interpolate(s, vars).trim(); };
      const target = text(e.target);
      if (target === undefined) return fail('a long-form port needs "target", the port inside the container');
      if (e.published !== undefined && text(e.published) === undefined) return fail('"published" must be a port number');
      if (e.host_ip !== undefined && typeof e.host_ip !== 'string') return fail('"host_ip" must be an address');
      if (e.protocol !== undefined && typeof e.protocol !== 'string') return fail('"protocol" must be tcp, udp or sctp');
      return build(target, text(e.published) ?? null, text(e.host_ip) ?? null, text(e.protocol));
    }
    return fail('a port is a number, a string like "8080:80", or a mapping with "target"');
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** How the derived file publishes a port Manito allocated: loopback only, the container port unchanged. */
export function publishedSpec(hostPort: number, port: Pick<ComposePort, 'container' | 'protocol'>): string {
  return `127.0.0.1:${hostPort}:${port.container}${port.protocol === 'tcp' ? '' : `/${port.protocol}`}`;
}
