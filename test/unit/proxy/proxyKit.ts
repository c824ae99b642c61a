// Test support for the proxy on real sockets: a temp state folder with the engine's real lease
// registry, workspaces with manito.json, real upstream HTTP + WebSocket servers that report what
// reached them, and raw requests to the proxy with any Host.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { LeaseRegistry, newOwnerId, OWN_START_TIME } from '../../../server/engine/leaseRegistry';
import type { StackConfig } from '../../../protocol/config';

export interface Upstream {
  port: number;
  name: string;
  /** Requests that reached it (upgrades included). */
  hits: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }>;
  /** TCP connections it accepted. */
  connections: number;
  close(): Promise<void>;
}

/** An HTTP server that answers with its name and what it saw; a WebSocket server that echoes with its name. */
export async function startUpstream(name: string): Promise<Upstream> {
  const hits: Upstream['hits'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'keep-alive');
      res.end(JSON.stringify({ name, url: req.url, headers: req.headers, body }));
    });
  });
  const up: Upstream = { port: 0, name, hits, connections: 0, close: async () => undefined };
  server.on('connection', () => { up.connections++; });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    hits.push({ url: req.url ?? '', headers: req.headers, body: '' });
    socket.on('message', (data) => socket.send(`${name}:${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  up.port = (server.address() as net.AddressInfo).port;
  up.close = () => new Promise<void>((resolve) => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return up;
}

export interface LeaseWorld {
  base: string;
  stateDir: string;
  leasesFile: string;
  registry: LeaseRegistry;
  /** Makes a workspace folder `name` (under base) with this manito.json; returns its path. */
  workspace(name: string, services: StackConfig['services']): string;
  /** Leases `service` of `workspace` to `port` as a live host (this process) would. */
  lease(workspace: string, service: string, port: number): Promise<void>;
  release(workspace: string, service: string): Promise<void>;
  cleanup(): void;
}

export function leaseWorld(): LeaseWorld {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'manito-proxy-')));
  const stateDir = path.join(base, 'state');
  fs.mkdirSync(stateDir, { mode: 0o700 });
  const leasesFile = path.join(stateDir, 'leases.json');
  const registry = new LeaseRegistry({ file: leasesFile });
  const owners = new Map<string, string>();
  const ownerOf = (ws: string) => owners.get(ws) ?? owners.set(ws, newOwnerId()).get(ws)!;
  return {
    base, stateDir, leasesFile, registry,
    workspace(name, services) {
      const dir = path.join(base, name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'manito.json'), JSON.stringify({ services }));
      return dir;
    },
    lease: (workspace, service, port) => registry.transact((leases) => {
      const i = leases.findIndex((l) => l.workspace === workspace && l.service === service);
      const since = new Date().toISOString();
      const next = { port, service, workspace, pid: process.pid, startTime: OWN_START_TIME, owner: ownerOf(workspace), since: i >= 0 ? leases[i].since : since };
      if (i >= 0) leases[i] = next;
      else leases.push(next);
    }),
    release: (workspace, service) => registry.transact((leases) => {
      const i = leases.findIndex((l) => l.workspace === workspace && l.service === service);
      if (i >= 0) leases.splice(i, 1);
    }),
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the proxy at 127.0.0.1 (or `address`) with the given Host. */
export function request(port: number, host: string, options: { path?: string; method?: string; headers?: http.OutgoingHttpHeaders; body?: string; agent?: http.Agent | false; address?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: options.address ?? '127.0.0.1', port, path: options.path ?? '/', method: options.method ?? 'GET',
      headers: { host, ...options.headers }, agent: options.agent ?? false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes to the proxy and returns everything it answers before closing (or `until` matches). */
export function rawExchange(port: number, bytes: string | Buffer, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      got += c;
      if (until?.test(got)) socket.destroy();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(got) : reject(error)));
    socket.write(bytes);
  });
}

/** A port the system calls free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
