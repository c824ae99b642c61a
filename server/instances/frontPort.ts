// The front port of a multi-instance service: one loopback listener on the service's own port that
// hands each request (and each WebSocket upgrade) to the next of its instances in turn, skipping
// instances the health monitor calls unhealthy and, for a few seconds, one that refused a connection.
// Forwarding itself is the named-URL proxy's (server/proxy/forwarding.ts): X-Forwarded-*, keep-alive.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { forwardRequest, forwardUpgrade, hasNoBody, hopsOf, MAX_HOPS } from '../proxy/forwarding';

/** How long an instance that refused a connection is passed over before it is tried again. */
export const REFUSED_BACKOFF_MS = 2000;
const DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT']);

export interface FrontPortOptions {
  /** The instances' ports now, in instance order (re-read on every request: instances may move). */
  instances: () => readonly number[];
  /** The health monitor's word on one instance; an instance it calls unhealthy gets no traffic. Default: all healthy. */
  healthy?: (port: number, index: number) => boolean;
  clock?: () => number;
}

export interface FrontPort {
  readonly server: http.Server;
  listen(port: number, host?: string): Promise<number>;
  /** The health monitor calls the instance on `port` healthy again: its refusal back-off ends now. */
  healed(port: number): void;
  close(): Promise<void>;
}

export function createFrontPort(options: FrontPortOptions): FrontPort {
  const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
  const refusedUntil = new Map<number, number>();
  const now = options.clock ?? Date.now;
  const upgraded = new Set<Duplex>();
  let next = 0;

  /** The instances to try for one request, starting at the next in turn; unhealthy and backed-off ones last. */
  const candidates = (): number[] => {
    const ports = options.instances();
    if (ports.length === 0) return [];
    const start = next++ % ports.length;
    const ordered = ports.map((_, i) => ports[(start + i) % ports.length]!);
    const usable = ordered.filter((p) => (refusedUntil.get(p) ?? 0) <= now() && (options.healthy?.(p, ports.indexOf(p)) ?? true));
    return usable.length ? usable : ordered.filter((p) => (refusedUntil.get(p) ?? 0) <= now());
  };
  const refused = (port: number, error: NodeJS.ErrnoException) => {
    if (DOWN.has(error.code ?? '')) refusedUntil.set(port, now() + REFUSED_BACKOFF_MS);
  };

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 5_000 });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const hops = hopsOf(req.rawHeaders);
    if (hops >= MAX_HOPS) return void res.writeHead(508).end('Loop detected.\n');
    const ports = candidates();
    const attempt = (i: number): void => {
      const port = ports[i];
      if (port === undefined) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
        return void res.end('No instance of this service is answering.\n');
      }
      forwardRequest(req, res, port, agent, { proto: 'http', hops }, (r, error) => {
        refused(port, error);
        // A request whose body was not sent anywhere yet may go to the next instance.
        if (!r.headersSent && hasNoBody(req)) return attempt(i + 1);
        if (!r.headersSent) r.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        r.end(`Instance on port ${port} failed: ${error.code ?? error.message}\n`);
      });
    };
    attempt(0);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const ports = candidates();
    const attempt = (i: number): void => {
      const port = ports[i];
      if (port === undefined) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      forwardUpgrade(req, socket, head, port, { proto: 'http', hops: hopsOf(req.rawHeaders) }, (_s, error) => {
        refused(port, error as NodeJS.ErrnoException);
        attempt(i + 1);
      });
    };
    attempt(0);
  });

  return {
    server,
    listen: (port, host = '127.0.0.1') => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    }),
    healed: (port) => { refusedUntil.delete(port); },
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
    }),
  };
}
