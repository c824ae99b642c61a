// The proxy on real sockets against real upstream servers and the engine's real lease registry:
// routing by name, X-Forwarded-*, keep-alive, bodies, WebSocket upgrades, a moved service, and the
// guards (foreign Host, absolute-form URIs, CONNECT, malformed and oversized heads, loops).
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { ProxyRole } from '../../../server/proxy/proxyRole';
import { RouteSource } from '../../../server/proxy/routeSource';
import { freePort, leaseWorld, rawExchange, request, startUpstream, type LeaseWorld, type Upstream } from './proxyKit';

let world: LeaseWorld;
let role: ProxyRole;
let port: number;
let api: Upstream;
let web: Upstream;
let spare: Upstream;
let shop: string;

before(async () => {
  world = leaseWorld();
  [api, web, spare] = await Promise.all([startUpstream('api'), startUpstream('web'), startUpstream('spare')]);
  shop = world.workspace('Shop', { api: { kind: 'http' }, web: { kind: 'vite' }, db: { kind: 'postgres' } });
  await world.lease(shop, 'api', api.port);
  await world.lease(shop, 'web', web.port);
  await world.lease(shop, 'db', 5432);
  port = await freePort();
  role = new ProxyRole({ port, routes: new RouteSource({ leasesFile: world.leasesFile }) });
  assert.equal((await role.start()).role, 'serving');
});

after(async () => {
  await role?.stop();
  await Promise.all([api, web, spare].map((u) => u?.close()));
  world?.cleanup();
});

test('a service name reaches its service with Host kept and X-Forwarded-For/Proto/Host set; the workspace name reaches the main web service', async () => {
  const a = await request(port, `api.shop.localhost:${port}`, { path: '/hello?x=1', headers: { 'x-forwarded-for': '10.9.8.7' } });
  assert.equal(a.status, 200);
  const seen = JSON.parse(a.body);
  assert.equal(seen.name, 'api');
  assert.equal(seen.url, '/hello?x=1');
  assert.equal(seen.headers.host, `api.shop.localhost:${port}`);
  assert.equal(seen.headers['x-forwarded-for'], '10.9.8.7, 127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], `api.shop.localhost:${port}`);
  assert.equal(JSON.parse((await request(port, `shop.localhost:${port}`)).body).name, 'web');
  assert.equal(JSON.parse((await request(port, 'WEB.Shop.LocalHost.')).body).name, 'web', 'names are case-insensitive, a trailing dot is fine');
  assert.deepEqual(role.namedUrls(shop), { main: { service: 'web', url: `http://shop.localhost:${port}` }, services: { api: `http://api.shop.localhost:${port}`, web: `http://web.shop.localhost:${port}` } });
});

test('keep-alive on both sides: ten requests on one client connection reuse one upstream connection; bodies pass, fixed-length and chunked', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const before = api.connections;
  const sockets = new Set<unknown>();
  for (let i = 0; i < 10; i++) {
    const r = await request(port, 'api.shop.localhost', { agent, method: 'POST', body: `n=${i}`, headers: { 'content-type': 'text/plain' } });
    assert.equal(JSON.parse(r.body).body, `n=${i}`);
  }
  for (const list of Object.values(agent.sockets).concat(Object.values(agent.freeSockets))) for (const s of list ?? []) sockets.add(s);
  assert.equal(sockets.size, 1, 'one client connection');
  assert.ok(api.connections - before <= 1, `upstream connections opened: ${api.connections - before}`);
  agent.destroy();
  const chunked = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/c', headers: { host: 'api.shop.localhost', 'transfer-encoding': 'chunked' } }, (res) => {
      let b = '';
      res.on('data', (c) => { b += c; });
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
    req.write('part1-');
    setImmediate(() => req.end('part2'));
  });
  assert.equal(JSON.parse(chunked).body, 'part1-part2');
});

test('a WebSocket upgrade passes through the name, both ways, with X-Forwarded-*', async () => {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/hmr?token=t`, { headers: { host: `web.shop.localhost:${port}` } });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  socket.send('ping');
  const reply = await new Promise<string>((resolve) => socket.once('message', (d) => resolve(d.toString())));
  assert.equal(reply, 'web:ping');
  const hit = web.hits.at(-1)!;
  assert.equal(hit.url, '/hmr?token=t');
  assert.equal(hit.headers['x-forwarded-host'], `web.shop.localhost:${port}`);
  socket.close();
});

test('a service that moves keeps its name: the very next request goes to the new port', async () => {
  for (let i = 0; i < 5; i++) {
    await world.lease(shop, 'api', spare.port);
    assert.equal(JSON.parse((await request(port, 'api.shop.localhost')).body).name, 'spare');
    await world.lease(shop, 'api', api.port);
    assert.equal(JSON.parse((await request(port, 'api.shop.localhost')).body).name, 'api');
  }
});

test('an unknown .localhost name gets a 404 listing the user\'s routes, escaped; a foreign Host gets a bare 404 and reaches nothing', async () => {
  const odd = world.workspace('x<img src=x onerror=alert(1)>&"', { page: { kind: 'http' } });
  await world.lease(odd, 'page', spare.port);
  const hitsBefore = api.hits.length + web.hits.length + spare.hits.length;
  const page = await request(port, `nope.localhost:${port}`);
  assert.equal(page.status, 404);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  assert.match(page.body, new RegExp(`href="http://api\\.shop\\.localhost:${port}/"`));
  assert.match(page.body, /shop\.localhost/);
  assert.ok(!page.body.includes('<img'), 'the workspace path is escaped');
  assert.match(page.body, /x&lt;img src=x onerror=alert\(1\)&gt;&amp;&quot;/);
  for (const host of ['evil.example', `evil.example:${port}`, 'api.shop.localhost.evil.example', '[fe80::1]:80']) {
    const r = await request(port, host);
    assert.equal(r.status, 404, host);
    assert.ok(!r.body.includes('shop'), `no route list for ${JSON.stringify(host)}`);
  }
  assert.match(await rawExchange(port, 'GET / HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 400 /, 'no Host at all');
  assert.equal(api.hits.length + web.hits.length + spare.hits.length, hitsBefore, 'no service was reached');
  await world.release(odd, 'page');
});

test('absolute-form and asterisk-form targets, CONNECT, and upgrades to unknown names are refused without reaching a service', async () => {
  const hitsBefore = api.hits.length;
  const absolute = await rawExchange(port, `GET http://api.shop.localhost:${port}/ HTTP/1.1\r\nHost: api.shop.localhost\r\n\r\n`, /\r\n\r\n.*\n/s);
  assert.match(absolute, /^HTTP\/1\.1 400 /);
  assert.match(absolute, /no open proxy/);
  const evil = await rawExchange(port, 'GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n', /\r\n\r\n.*\n/s);
  assert.match(evil, /^HTTP\/1\.1 400 /);
  assert.match(await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: api.shop.localhost\r\n\r\n', /\r\n\r\n.*\n/s), /^HTTP\/1\.1 400 /);
  assert.match(await rawExchange(port, `CONNECT 127.0.0.1:${api.port} HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\n\r\n`), /^HTTP\/1\.1 405 /);
  assert.match(await rawExchange(port, 'GET /ws HTTP/1.1\r\nHost: nope.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'), /^HTTP\/1\.1 404 /);
  assert.equal(api.hits.length, hitsBefore);
});

test('malformed and oversized requests get 400 or 431 and the proxy keeps serving; a loop is cut with 508', async () => {
  assert.match(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
  assert.match(await rawExchange(port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])), /^HTTP\/1\.1 400 /);
  assert.match(await rawExchange(port, `GET / HTTP/1.1\r\nHost: api.shop.localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431 /);
  assert.match(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: api.shop.localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), /^HTTP\/1\.1 400 /);
  const loop = await request(port, 'api.shop.localhost', { headers: { 'x-manito-hops': '5' } });
  assert.equal(loop.status, 508);
  assert.equal((await request(port, 'api.shop.localhost')).status, 200, 'still serving');
});

test('a named service that does not answer gets a 502 page naming it and its port', async () => {
  const gone = await freePort();
  await world.lease(shop, 'api', gone);
  const r = await request(port, 'api.shop.localhost');
  assert.equal(r.status, 502);
  assert.match(r.body, new RegExp(`api is not answering.*port ${gone}`, 's'));
  await world.lease(shop, 'api', api.port);
});

test('the proxy answers on ::1 as on 127.0.0.1', async () => {
  const r = await request(port, 'api.shop.localhost', { address: '::1' });
  assert.equal(JSON.parse(r.body).headers['x-forwarded-for'], '::1');
});

test('hop-by-hop headers stop at the proxy: Connection, Keep-Alive, TE, Proxy-Authorization, and any header Connection names', async () => {
  const r = await request(port, `api.shop.localhost:${port}`, {
    headers: { connection: 'keep-alive, X-Secret-Hop', 'x-secret-hop': 'no', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-kept': 'yes', 'x-manito-hops': '2' },
  });
  const seen = JSON.parse(r.body).headers as Record<string, string>;
  for (const name of ['x-secret-hop', 'keep-alive', 'te', 'proxy-authorization']) assert.equal(seen[name], undefined, name);
  assert.equal(seen['x-kept'], 'yes');
  assert.equal(seen['x-manito-hops'], '3', 'the hop count is the proxy\'s own, one more than it got');
});
