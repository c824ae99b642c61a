// Connection pairing on real sockets: one client connection whose requests go to different names
// re-pairs with each service in turn; large, chunked and pipelined responses arrive whole and in
// order; slow, half-open and garbage-sending clients are cut off with an answer, never a crash.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { createProxyServer, type ProxyServer } from '../../../server/proxy/proxyServer';
import { RouteSource } from '../../../server/proxy/routeSource';
import { leaseWorld, rawExchange, startUpstream, type LeaseWorld, type Upstream } from './proxyKit';

let world: LeaseWorld;
let proxy: ProxyServer;
let port: number;
let api: Upstream;
let web: Upstream;
let big: http.Server;
let bigPort: number;
const BIG = 'x'.repeat(20 * 1024);

before(async () => {
  world = leaseWorld();
  [api, web] = await Promise.all([startUpstream('api'), startUpstream('web')]);
  // Fixed-length and chunked answers of 20 KB, written in pieces.
  big = http.createServer((req, res) => {
    if (req.url === '/chunked') {
      res.write(BIG.slice(0, 7000));
      setImmediate(() => res.end(BIG.slice(7000)));
    } else res.writeHead(200, { 'content-length': String(BIG.length) }).end(BIG);
  });
  await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', () => resolve()));
  bigPort = (big.address() as net.AddressInfo).port;
  const shop = world.workspace('shop', { api: { kind: 'http' }, web: { kind: 'vite' }, big: { kind: 'http' } });
  await world.lease(shop, 'api', api.port);
  await world.lease(shop, 'web', web.port);
  await world.lease(shop, 'big', bigPort);
  proxy = createProxyServer({ routes: new RouteSource({ leasesFile: world.leasesFile }), limits: { headersTimeoutMs: 300, keepAliveTimeoutMs: 400, requestTimeoutMs: 600 } });
  await new Promise<void>((resolve) => proxy.listener.listen(0, '127.0.0.1', () => resolve()));
  port = (proxy.listener.address() as net.AddressInfo).port;
});

after(async () => {
  await proxy?.close();
  big?.closeAllConnections();
  await new Promise((resolve) => big?.close(resolve));
  await Promise.all([api, web].map((u) => u?.close()));
  world?.cleanup();
});

/** Sends `bytes` on one connection and collects `count` complete responses (by Content-Length or chunked end). */
function exchange(bytes: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parser = new ResponseReader((bodies) => {
      if (bodies.length < count) return;
      socket.destroy();
      resolve(bodies);
    });
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after ${parser.bodies.length} of ${count} responses`)));
    socket.write(bytes);
  });
}

/** Splits responses with node's own parser rules, kept small: Content-Length or chunked. */
class ResponseReader {
  readonly bodies: string[] = [];
  private pending = '';
  constructor(private readonly onBody: (bodies: string[]) => void) {}
  push(chunk: Buffer): void {
    this.pending += chunk.toString('latin1');
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.pending.slice(0, end);
      let rest = this.pending.slice(end + 4);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      let body = '';
      if (length) {
        if (rest.length < Number(length[1])) return;
        body = rest.slice(0, Number(length[1]));
        rest = rest.slice(Number(length[1]));
      } else {
        for (;;) {
          const line = rest.indexOf('\r\n');
          if (line < 0) return;
          const size = Number.parseInt(rest.slice(0, line), 16);
          if (rest.length < line + 2 + size + 2) return;
          body += rest.slice(line + 2, line + 2 + size);
          rest = rest.slice(line + 2 + size + 2);
          if (size === 0) break;
        }
      }
      this.pending = rest;
      this.bodies.push(`${head.split('\r\n')[0]}|${body}`);
      this.onBody(this.bodies);
    }
  }
}

const get = (host: string, path = '/') => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

test('one client connection re-pairs as its Host changes: api, web, api, each reached on one upstream connection per run', async () => {
  const [a0, w0] = [api.connections, web.connections];
  const bodies = await exchange(get('api.shop.localhost') + get('api.shop.localhost') + get('web.shop.localhost') + get('api.shop.localhost'), 4);
  assert.deepEqual(bodies.map((b) => JSON.parse(b.split('|')[1]).name), ['api', 'api', 'web', 'api']);
  assert.equal(api.connections - a0, 2, 'api: one connection for the first two, one after web');
  assert.equal(web.connections - w0, 1);
});

test('20 KB fixed-length and chunked responses arrive whole, pipelined behind each other and behind a 404', async () => {
  const bodies = await exchange(get('big.shop.localhost') + get('nope.localhost') + get('big.shop.localhost', '/chunked') + get('api.shop.localhost'), 4);
  assert.equal(bodies[0], `HTTP/1.1 200 OK|${BIG}`);
  assert.match(bodies[1], /^HTTP\/1\.1 404 /);
  assert.equal(bodies[2], `HTTP/1.1 200 OK|${BIG}`);
  assert.equal(JSON.parse(bodies[3].split('|')[1]).name, 'api');
});

test('a head that never ends gets 408 and a body that never ends gets 408; an idle connection is closed quietly', async () => {
  assert.match(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: api.shop.localhost\r\nX-Slow: 1'), /^HTTP\/1\.1 408 /);
  assert.match(await rawExchange(port, 'POST / HTTP/1.1\r\nHost: api.shop.localhost\r\nContent-Length: 10\r\n\r\nabc'), /^HTTP\/1\.1 408 /);
  assert.equal(await rawExchange(port, ''), '', 'idle: closed without an answer');
});

test('garbage after a good request, a smuggled second length, and a half-closed client: answers, then the proxy goes on', async () => {
  const got = await rawExchange(port, `${get('api.shop.localhost')}\x00\x01garbage\r\n\r\n`);
  assert.match(got, /^HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 400 /);
  assert.match(await rawExchange(port, 'POST / HTTP/1.1\r\nHost: api.shop.localhost\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'), /^HTTP\/1\.1 400 /);
  const halfClosed = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (c: Buffer) => { out += c.toString('latin1'); });
    socket.on('close', () => resolve(out));
    socket.end(get('api.shop.localhost'));
  });
  assert.match(halfClosed, /^HTTP\/1\.1 200 [\s\S]*"name":"api"/);
  assert.equal(JSON.parse((await exchange(get('api.shop.localhost'), 1))[0].split('|')[1]).name, 'api', 'still serving');
});
