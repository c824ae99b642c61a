// The request head the proxy writes to a service: the client's request line and headers in its own
// order and case, minus hop-by-hop fields (RFC 9110 7.6.1) and the ones the proxy sets itself, plus
// X-Forwarded-For/Proto/Host, Forwarded (RFC 7239) and the loop counter. Body framing headers stay
// as sent: the body passes through byte for byte. Pure.
import type { Fields, RequestHead } from './httpHead';

export const HOPS_HEADER = 'x-manito-hops';
/** A service that sends a request back through the proxy under its own name loops: stop it here. */
export const MAX_HOPS = 5;

const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', HOPS_HEADER]);

export interface UpstreamContext {
  /** The client's address as the socket reports it. */
  client: string;
  proto: 'http' | 'https';
  hops: number;
  /** The Host header as the client sent it. */
  host: string;
  /** What the proxy tells the service about the connection: an upgrade, a close after this request, or keep-alive. */
  connection: 'upgrade' | 'close' | 'keep-alive';
  /** The Upgrade header's value, for an upgrade. */
  upgrade?: string;
}

/** The hop count a request arrived with (0 when none). */
export function hopsOf(fields: Fields): number {
  const i = fields.names.indexOf(HOPS_HEADER);
  return i < 0 ? 0 : Number.parseInt(fields.headers[2 * i + 1], 10) || 0;
}

export function upstreamHead(req: RequestHead, ctx: UpstreamContext): string {
  const raw = req.headers;
  const names = req.names;
  let text = `${req.method} ${req.target} HTTP/${req.version}\r\n`;
  let forwardedFor = '';
  let forwarded = '';
  let named: Set<string> | undefined;
  const kept: number[] = [];
  // One pass over names lowercased once by the head reader: this runs for every proxied request.
  for (let n = 0; n < names.length; n++) {
    const lower = names[n];
    const i = 2 * n;
    if (!DROPPED.has(lower)) kept.push(i);
    else if (lower === 'connection') named = connectionTokens(raw[i + 1], named);
    else if (lower === 'x-forwarded-for') forwardedFor += `${forwardedFor ? ', ' : ''}${raw[i + 1]}`;
    else if (lower === 'forwarded') forwarded += `${forwarded ? ', ' : ''}${raw[i + 1]}`;
  }
  for (const i of kept) {
    // Headers the client named in Connection are hop-by-hop too.
    if (named?.size && named.has(names[i / 2])) continue;
    text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  const client = ctx.client;
  const node = client.includes(':') ? `"[${client}]"` : client;
  text += `X-Forwarded-For: ${forwardedFor ? `${forwardedFor}, ${client}` : client}\r\nX-Forwarded-Proto: ${ctx.proto}\r\n` +
    `X-Forwarded-Host: ${ctx.host}\r\nForwarded: ${forwarded ? `${forwarded}, ` : ''}for=${node};host=${quoted(ctx.host)};proto=${ctx.proto}\r\n` +
    `X-Manito-Hops: ${ctx.hops + 1}\r\n`;
  if (ctx.connection === 'upgrade') text += `Connection: Upgrade\r\nUpgrade: ${ctx.upgrade ?? ''}\r\n`;
  else if (ctx.connection === 'close' || req.version === '1.0') text += `Connection: ${ctx.connection}\r\n`;
  return `${text}\r\n`;
}

/** A Forwarded value is a token or a quoted string (RFC 7239 4); a host with a port needs the quotes. */
function quoted(value: string): string {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function connectionTokens(value: string, into = new Set<string>()): Set<string> {
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (t && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade') into.add(t);
  }
  return into;
}
