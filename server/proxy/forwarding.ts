// Passes one request to a service on the loopback, for the instances' front port (the named-URL
// proxy pairs raw connections instead: pairedConnection.ts): plain requests through a keep-alive
// agent with the raw header list rewritten in one pass (hop-by-hop headers dropped, X-Forwarded-*
// set), and upgrades (WebSocket, Vite HMR) as a raw byte pipe once the request head is written.
import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { HOPS_HEADER } from './upstreamHead';

// One loop counter for the named-URL proxy and the front port.
export { HOPS_HEADER, MAX_HOPS } from './upstreamHead';

/** Hop-by-hop headers (RFC 9110 7.6.1) and the ones the proxy sets itself. Body framing stays as sent. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', HOPS_HEADER]);
const RESPONSE_DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection']);

export interface ForwardContext {
  proto: 'http' | 'https';
  hops: number;
}

/** The hop count a request arrived with (0 when none). */
export function hopsOf(raw: readonly string[]): number {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === HOPS_HEADER.length && raw[i].toLowerCase() === HOPS_HEADER) return Number.parseInt(raw[i + 1], 10) || 0;
  }
  return 0;
}

/** The headers to send upstream, as a flat [name, value, ...] list in the client's order and case. */
export function upstreamHeaders(req: http.IncomingMessage, ctx: ForwardContext, upgrade: boolean): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let forwardedFor = '';
  let named: Set<string> | undefined;
  // One pass, one toLowerCase per header: this runs for every proxied request.
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (!DROPPED.has(lower)) {
      out.push(raw[i], raw[i + 1]);
    } else if (lower === 'connection') {
      named = connectionTokens(raw[i + 1], named);
    } else if (lower === 'x-forwarded-for') {
      forwardedFor += `${forwardedFor ? ', ' : ''}${raw[i + 1]}`;
    }
  }
  // Headers the client named in Connection are hop-by-hop too (rare: only then a second pass).
  if (named?.size) {
    for (let i = out.length - 2; i >= 0; i -= 2) if (named.has(out[i].toLowerCase())) out.splice(i, 2);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push('X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${client}` : client,
    'X-Forwarded-Proto', ctx.proto, 'X-Forwarded-Host', req.headers.host ?? '', 'X-Manito-Hops', String(ctx.hops + 1));
  if (upgrade) out.push('Connection', 'Upgrade', 'Upgrade', req.headers.upgrade ?? '');
  return out;
}

function connectionTokens(value: string, into = new Set<string>()): Set<string> {
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (t && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade') into.add(t);
  }
  return into;
}

function responseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!RESPONSE_DROPPED.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

/** A request without a body may be sent again on a fresh socket when a reused one was closed under it. */
export function hasNoBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

export interface ForwardFailure {
  (res: http.ServerResponse, error: NodeJS.ErrnoException): void;
}

export function forwardRequest(req: http.IncomingMessage, res: http.ServerResponse, port: number, agent: http.Agent, ctx: ForwardContext, fail: ForwardFailure, retried = false): void {
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: upstreamHeaders(req, ctx, false), agent });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders));
    // By hand rather than pipe(): most answers are one chunk, and pipe's listeners cost more than the copy.
    answer.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        answer.pause();
        res.once('drain', () => answer.resume());
      }
    });
    answer.on('end', () => res.end());
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (res.headersSent) return void res.destroy();
    // The service closed an idle kept-alive socket as we picked it: one more try on a new one.
    if (!retried && upstream.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && hasNoBody(req)) {
      return forwardRequest(req, res, port, agent, ctx, fail, true);
    }
    fail(res, error);
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  // A request without a body is complete once its head is read: nothing to stream.
  if (retried || hasNoBody(req)) upstream.end();
  else req.pipe(upstream);
}

/**
 * An upgrade goes to the service as the same request head (plus X-Forwarded-*), then both sockets
 * are piped: the service's 101 (or its refusal) reaches the client as it sent it.
 */
export function forwardUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, port: number, ctx: ForwardContext, fail: (socket: Duplex, error: Error) => void): void {
  const upstream = net.connect({ host: '127.0.0.1', port });
  const headers = upstreamHeaders(req, ctx, true);
  let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  upstream.setNoDelay(true);
  upstream.write(`${text}\r\n`);
  if (head.length) upstream.write(head);
  let connected = false;
  upstream.once('connect', () => {
    connected = true;
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', (error) => {
    if (!connected) fail(socket, error);
    else socket.destroy();
  });
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  // Before the connection, a failure is `fail`'s to answer (or to try another upstream with).
  upstream.on('close', () => { if (connected) socket.destroy(); });
}
