// Protocol fingerprints: one short exchange that tells what listens on a port. Each tries
// 127.0.0.1 and ::1 at once and settles on the first that answers, within a hard timeout.
import * as net from 'node:net';
import type { ServiceKind } from '../../protocol/config';

export const LOOPBACKS = ['127.0.0.1', '::1'] as const;

export interface FingerprintResult {
  ok: boolean;
  /** What answered, e.g. "vite", "http 404", "redis", "postgres (SSL: N)". */
  detail: string;
}

/**
 * Writes `request` (if any) to host:port and feeds the reply to `judge` until it decides or the
 * timeout passes. The socket is always destroyed: a listener that never answers costs one timer.
 */
export function exchange(host: string, port: number, request: Buffer | string | null, timeoutMs: number,
  judge: (reply: Buffer, ended: boolean) => FingerprintResult | undefined): Promise<FingerprintResult> {
  return new Promise((resolve) => {
    let done = false;
    let reply = Buffer.alloc(0);
    const socket = net.connect({ host, port });
    const finish = (result: FingerprintResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, detail: `no answer on ${host} within ${timeoutMs} ms` }), timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (request === null) finish({ ok: true, detail: 'tcp' });
      else socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length > 256 * 1024) return finish(judge(reply, true) ?? { ok: false, detail: 'reply too large' });
      const verdict = judge(reply, false);
      if (verdict) finish(verdict);
    });
    socket.on('end', () => finish(judge(reply, true) ?? { ok: false, detail: 'closed without an answer' }));
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, detail: error.code ?? error.message }));
  });
}

/**
 * Runs `attempt` on both loopbacks; resolves with the first success. If both fail, the failure of a
 * listener that answered ("http 503") says more than the refusal on the other loopback, so it wins.
 */
export async function onEitherLoopback(attempt: (host: string) => Promise<FingerprintResult>): Promise<FingerprintResult> {
  const results = LOOPBACKS.map((host) => attempt(host));
  return new Promise((resolve) => {
    let pending = results.length;
    const failures: FingerprintResult[] = [];
    for (const p of results) {
      void p.then((r) => {
        if (r.ok) return resolve(r);
        failures.push(r);
        if (--pending === 0) resolve(failures.find((f) => !/^E[A-Z]+$/.test(f.detail)) ?? failures[0]);
      });
    }
  });
}

interface HttpReply { status: number; body: string; complete: boolean }

function parseHttpReply(reply: Buffer, ended: boolean): HttpReply | undefined {
  const text = reply.toString('latin1');
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return ended && /^HTTP\/1\.[01] \d{3}/.test(text) ? { status: Number(text.slice(9, 12)), body: '', complete: true } : undefined;
  const status = Number(text.slice(9, 12));
  if (!/^HTTP\/1\.[01] \d{3}/.test(text)) return { status: 0, body: '', complete: true };
  const body = text.slice(head + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, head));
  const complete = ended || body.length >= Math.min(length ? Number(length[1]) : 4096, 4096);
  return { status, body, complete };
}

function httpGet(host: string, port: number, path: string): string {
  const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAccept: */*\r\nUser-Agent: manito-probe\r\nConnection: close\r\n\r\n`;
}

/** GET `path`; `accept` decides from status and body (read up to 4 KiB, enough for every fingerprint). */
export function httpProbe(port: number, path: string, timeoutMs: number,
  accept: (status: number, body: string) => FingerprintResult): Promise<FingerprintResult> {
  return onEitherLoopback((host) => exchange(host, port, httpGet(host, port, path), timeoutMs, (reply, ended) => {
    const r = parseHttpReply(reply, ended);
    if (!r || !r.complete) return undefined;
    if (r.status === 0) return { ok: false, detail: 'not HTTP' };
    return accept(r.status, r.body);
  }));
}

export function tcpProbe(port: number, timeoutMs: number): Promise<FingerprintResult> {
  return onEitherLoopback((host) => exchange(host, port, null, timeoutMs, () => undefined));
}

export function viteProbe(port: number, timeoutMs: number): Promise<FingerprintResult> {
  return httpProbe(port, '/@vite/client', timeoutMs, (status, body) =>
    status === 200 && /vite/i.test(body) ? { ok: true, detail: 'vite' } : { ok: false, detail: `http ${status}, not vite` });
}

export function anyHttpProbe(port: number, timeoutMs: number): Promise<FingerprintResult> {
  return httpProbe(port, '/', timeoutMs, (status) => ({ ok: status < 500, detail: `http ${status}` }));
}

export function prometheusProbe(port: number, timeoutMs: number): Promise<FingerprintResult> {
  return httpProbe(port, '/-/healthy', timeoutMs, (status, body) =>
    status === 200 && /healthy/i.test(body) ? { ok: true, detail: 'prometheus' } : { ok: false, detail: `http ${status}, not prometheus` });
}

export function redisProbe(port: number, timeoutMs: number): Promise<FingerprintResult> {
  return onEitherLoopback((host) => exchange(host, port, 'PING\r\n', timeoutMs, (reply) => {
    const line = reply.toString('latin1');
    if (!line.includes('\r\n')) return undefined;
    if (line.startsWith('+PONG')) return { ok: true, detail: 'redis' };
    // A password-protected Redis is still Redis, and alive.
    if (line.startsWith('-NOAUTH')) return { ok: true, detail: 'redis (auth required)' };
    return { ok: false, detail: 'not redis' };
  }));
}

/** SSLRequest: length 8, code 80877103. A PostgreSQL server answers one byte, S or N. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export function postgresProbe(port: number, timeoutMs: number): Promise<FingerprintResult> {
  return onEitherLoopback((host) => exchange(host, port, SSL_REQUEST, timeoutMs, (reply) => {
    if (reply.length === 0) return undefined;
    const c = String.fromCharCode(reply[0]);
    return reply.length === 1 && (c === 'S' || c === 'N') ? { ok: true, detail: `postgres (SSL: ${c})` } : { ok: false, detail: 'not postgres' };
  }));
}

/** The fingerprint that proves a listener is of this kind. */
export function kindProbe(kind: ServiceKind, port: number, timeoutMs: number): Promise<FingerprintResult> {
  switch (kind) {
    case 'vite': return viteProbe(port, timeoutMs);
    case 'redis': return redisProbe(port, timeoutMs);
    case 'postgres': return postgresProbe(port, timeoutMs);
    case 'prometheus': return prometheusProbe(port, timeoutMs);
    case 'http':
    case 'websocket': return anyHttpProbe(port, timeoutMs);
    case 'tcp': return tcpProbe(port, timeoutMs);
  }
}

/** How the seed names what it found: "Vite" in "✅ Detected Vite client server on port 5173". */
export const KIND_LABEL: Record<ServiceKind, string> = {
  vite: 'Vite', redis: 'Redis', postgres: 'PostgreSQL', prometheus: 'Prometheus', http: 'HTTP', websocket: 'WebSocket', tcp: 'TCP',
};
