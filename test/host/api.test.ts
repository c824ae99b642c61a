// The HTTP API and feed as the CLI and a browser use them: the seed's exact shapes, the guards
// (Host, Origin, token, content type, sizes), and malformed input that must never crash the host.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { FeedMessage } from '../../protocol/http';
import { readLiveHosts } from '../../server/discovery/discoveryFile';
import { freePorts, getJson, makeWorkspace, startHeadless, type HostProcess, type Workspace } from './support/hostProcess';

let ws: Workspace;
let host: HostProcess;
let p: number[];

before(async () => {
  p = await freePorts(6);
  ws = makeWorkspace({
    environment: 'development',
    host: { ports: [p[5]] },
    services: {
      server: { preferred: [p[0]], conflicts: ['client'], kind: 'http' },
      client: { preferred: [p[1]], conflicts: ['server'], kind: 'vite' },
      websocket: { inheritFrom: 'server', kind: 'websocket' },
    },
  });
  host = await startHeadless(ws);
  // The named URLs come with the proxy role, decided just after the API listens.
  await host.waitForOutput(/Proxy: (serving|another Manito host serves)/);
});

after(async () => {
  await host?.stop();
  ws?.cleanup();
});

function raw(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let out = '';
    socket.on('data', (c) => { out += c.toString(); });
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.write(text);
    setTimeout(() => socket.end(), 300);
  });
}

function post(url: string, headers: Record<string, string>, body = '{}'): Promise<{ status: number; body: any }> {
  return getJson(url, { method: 'POST', headers, body });
}

async function assertAlive(): Promise<void> {
  const r = await getJson(`${host.url}/api/health`);
  assert.equal(r.status, 200);
  assert.equal(r.body.service, 'Manito');
}

test('GET /api/ports has exactly the seed shape in data, and the named URLs as an added field', async () => {
  const r = await getJson(`${host.url}/api/ports`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type')!, /^application\/json/);
  assert.deepEqual(r.body.data, {
    server: p[0], client: p[1], websocket: p[0], environment: 'development',
    urls: { server: `http://localhost:${p[0]}`, client: `http://localhost:${p[1]}`, websocket: `ws://localhost:${p[0]}` },
  });
  assert.deepEqual(Object.keys(r.body.data), ['server', 'client', 'websocket', 'environment', 'urls']);
  assert.deepEqual(Object.keys(r.body), ['success', 'data', 'namedUrls']);
  assert.equal(r.body.success, true);
  const named = r.body.namedUrls as Record<string, string>;
  assert.deepEqual(Object.keys(named), ['server', 'client', 'websocket']);
  const workspace = /^http:\/\/server\.([a-z0-9-]+)\.localhost:\d+$/.exec(named.server)?.[1];
  assert.ok(workspace, `server's named URL ${named.server}`);
  const proxyPort = new URL(named.server).port;
  assert.equal(named.client, `http://client.${workspace}.localhost:${proxyPort}`);
  assert.equal(named.websocket, `ws://websocket.${workspace}.localhost:${proxyPort}`);
});

test('GET /api/health names Manito; detailed adds services and the seed websocket fields', async () => {
  const plain = await getJson(`${host.url}/api/health`);
  assert.equal(plain.body.success, true);
  assert.equal(plain.body.service, 'Manito');
  assert.ok(String(JSON.stringify(plain.body)).includes('Manito'));
  assert.equal(plain.body.services, undefined);
  assert.equal(plain.body.host.port, host.port);

  const feed = new WebSocket(`ws://127.0.0.1:${host.port}/`);
  await new Promise((r) => feed.once('open', r));
  const r = await getJson(`${host.url}/api/health?detailed=true`);
  feed.close();
  const s = r.body.services;
  assert.deepEqual(Object.keys(s).sort(), ['client', 'server', 'websocket']);
  for (const name of ['server', 'client']) {
    assert.ok(['starting', 'healthy', 'unhealthy', 'stopped'].includes(s[name].status));
    assert.equal(typeof s[name].port, 'number');
    assert.ok('reason' in s[name] && 'lastCheck' in s[name]);
  }
  assert.equal(s.server.reason, 'preferred');
  assert.equal(s.websocket.reason, 'inherited');
  assert.equal(s.websocket.connections, 1);
  assert.equal(typeof s.websocket.uptime, 'number');
  assert.ok(s.websocket.uptime > 0);
  assert.ok(!Number.isNaN(Date.parse(s.websocket.timestamp)));
  assert.equal(typeof s.websocket.status, 'string');
});

test('GET /api/snapshot and /api/events', async () => {
  const r = await getJson(`${host.url}/api/snapshot`);
  assert.equal(r.body.success, true);
  assert.equal(r.body.data.workspace, ws.dir);
  assert.equal(r.body.data.configSource, 'file');
  assert.deepEqual(r.body.data.services.map((s: { name: string }) => s.name), ['server', 'client', 'websocket']);
  assert.equal(r.body.data.host.port, host.port);
  const e = await getJson(`${host.url}/api/events?limit=100`);
  assert.ok(e.body.data.some((x: { type: string; service?: string }) => x.type === 'assigned' && x.service === 'server'));
});

test('feed: hello with snapshot and recent events, then pushes', async () => {
  const feed = new WebSocket(`ws://localhost:${host.port}/`);
  const first = await new Promise<FeedMessage>((resolve) => feed.once('message', (d) => resolve(JSON.parse(String(d)))));
  assert.equal(first.type, 'hello');
  if (first.type !== 'hello') return;
  assert.equal(first.snapshot.services.length, 3);
  assert.ok(first.events.length > 0);
  // A config change is pushed as an event and a snapshot.
  const pushed = new Promise<FeedMessage[]>((resolve) => {
    const got: FeedMessage[] = [];
    feed.on('message', (d) => {
      got.push(JSON.parse(String(d)));
      if (got.some((m) => m.type === 'snapshot' && m.snapshot.environment === 'staging')) resolve(got);
    });
  });
  const config = JSON.parse(fs.readFileSync(path.join(ws.dir, 'manito.json'), 'utf8'));
  ws.writeConfig({ ...config, environment: 'staging' });
  const msgs = await pushed;
  assert.ok(msgs.some((m) => m.type === 'event' && m.event.type === 'config' && m.event.ok));
  feed.close();
  ws.writeConfig(config);
});

test('foreign Host header is refused (DNS rebinding)', async () => {
  for (const hostHeader of ['evil.example', `evil.example:${host.port}`, `localhost:${host.port + 1}`, '127.0.0.2']) {
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: host.port, path: '/api/ports', headers: { host: hostHeader } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    assert.equal(status, 421, hostHeader);
  }
  for (const ok of [`localhost:${host.port}`, `127.0.0.1:${host.port}`, `[::1]:${host.port}`]) {
    const status = await new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port: host.port, path: '/api/ports', headers: { host: ok } }, (res) => { res.resume(); resolve(res.statusCode!); });
    });
    assert.equal(status, 200, ok);
  }
});

test('foreign Origin is refused on HTTP; no CORS headers anywhere', async () => {
  for (const origin of ['http://evil.example', 'null', `http://localhost:${host.port + 1}`, `https://localhost:${host.port}`]) {
    const r = await getJson(`${host.url}/api/ports`, { headers: { origin } });
    assert.equal(r.status, 403, origin);
    assert.equal(r.body.success, false);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  }
  const own = await getJson(`${host.url}/api/ports`, { headers: { origin: `http://localhost:${host.port}` } });
  assert.equal(own.status, 200);
  assert.equal(own.headers.get('access-control-allow-origin'), null);
  const webview = await getJson(`${host.url}/api/ports`, { headers: { origin: 'vscode-webview://1a2b3c' } });
  assert.equal(webview.status, 200);
  const preflight = await getJson(`${host.url}/api/stack/start`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
  assert.ok(preflight.status >= 400);
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
});

test('foreign Origin or Host is refused on the WebSocket upgrade', async () => {
  const attempt = (url: string, options: WebSocket.ClientOptions) => new Promise<number>((resolve) => {
    const sock = new WebSocket(url, options);
    sock.on('unexpected-response', (_req, res) => { resolve(res.statusCode!); sock.terminate(); });
    sock.on('open', () => { resolve(101); sock.close(); });
    sock.on('error', () => resolve(-1));
  });
  assert.equal(await attempt(`ws://127.0.0.1:${host.port}/`, { origin: 'http://evil.example' }), 403);
  assert.equal(await attempt(`ws://127.0.0.1:${host.port}/`, { headers: { host: 'evil.example' } }), 421);
  assert.equal(await attempt(`ws://127.0.0.1:${host.port}/elsewhere`, {}), 404);
  assert.equal(await attempt(`ws://127.0.0.1:${host.port}/`, { origin: `http://127.0.0.1:${host.port}` }), 101);
});

test('state-changing requests need the token and a JSON body', async () => {
  const url = `${host.url}/api/stack/start`;
  const missing = await post(url, { 'content-type': 'application/json' });
  assert.equal(missing.status, 401);
  assert.deepEqual(Object.keys(missing.body), ['success', 'error']);
  assert.equal((await post(url, { 'content-type': 'application/json', 'x-manito-token': 'wrong' })).status, 401);
  assert.equal((await post(`${host.url}/api/services/server/restart`, { 'content-type': 'application/json' })).status, 401);
  assert.equal((await post(url, { 'content-type': 'text/plain', 'x-manito-token': host.token })).status, 415);
  assert.equal((await post(url, { 'content-type': 'application/x-www-form-urlencoded', 'x-manito-token': host.token }, 'a=1')).status, 415);
  const badJson = await post(url, { 'content-type': 'application/json', 'x-manito-token': host.token }, '{"oops"');
  assert.equal(badJson.status, 400);
  assert.match(badJson.body.error, /JSON/);
  const big = await post(url, { 'content-type': 'application/json', 'x-manito-token': host.token }, JSON.stringify({ x: 'y'.repeat(64 * 1024) }));
  assert.equal(big.status, 413);
  const unknown = await post(`${host.url}/api/services/nope/start`, { 'content-type': 'application/json', 'x-manito-token': host.token });
  assert.equal(unknown.status, 404);
  const ok = await post(url, { 'content-type': 'application/json', 'x-manito-token': host.token });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.success, true);
  const stop = await post(`${host.url}/api/services/server/stop`, { 'content-type': 'application/json; charset=utf-8', 'x-manito-token': host.token }, '');
  assert.equal(stop.status, 200);
  await assertAlive();
});

test('malformed HTTP never crashes the host', async () => {
  const garbage = await raw(host.port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10, 0x47, 0x45]));
  assert.match(garbage, /^HTTP\/1\.1 400/);
  assert.match(garbage, /"success":false/);
  const huge = await raw(host.port, `GET /api/ports HTTP/1.1\r\nHost: localhost:${host.port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(huge, /^HTTP\/1\.1 431/);
  const badVersion = await raw(host.port, 'GET / HTTP/9.9\r\n\r\n');
  assert.match(badVersion, /^HTTP\/1\.1 (400|505)/);
  const noHost = await raw(host.port, 'GET /api/ports HTTP/1.0\r\n\r\n');
  assert.match(noHost, /^HTTP\/1\.1 421/);
  const badPath = await getJson(`${host.url}/api/%E0%A4%A`);
  assert.equal(badPath.status, 404);
  const badName = await post(`${host.url}/api/services/%E0%A4%A/start`, { 'content-type': 'application/json', 'x-manito-token': host.token });
  assert.equal(badName.status, 400);
  const method = await getJson(`${host.url}/api/ports`, { method: 'DELETE' });
  assert.equal(method.status, 405);
  // Half a request, then the client vanishes.
  const s = net.connect({ port: host.port, host: '127.0.0.1' });
  await new Promise((r) => s.once('connect', r));
  s.write('POST /api/stack/start HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{');
  s.destroy();
  await assertAlive();
});

test('dashboard and its assets are served; the token reaches the page only when given', async () => {
  const page = await fetch(`${host.url}/dashboard`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /text\/html/);
  assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
  const html = await page.text();
  assert.ok(!html.includes(host.token));
  const withToken = await (await fetch(`${host.url}/?token=${encodeURIComponent(host.token)}`)).text();
  assert.ok(withToken.includes(host.token));
  const wrong = await (await fetch(`${host.url}/?token=nope`)).text();
  assert.ok(!wrong.includes(host.token));
  const js = await fetch(`${host.url}/webview/dashboard.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type')!, /javascript/);
  assert.equal((await fetch(`${host.url}/webview/..%2Fhost.js`)).status, 404);
  assert.equal((await fetch(`${host.url}/webview/.hidden.js`)).status, 404);
});

test('discovery file: user-only, live, removed on exit; dead pids are ignored', async () => {
  const dir = path.join(ws.stateDir, 'hosts');
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  const file = path.join(dir, `${host.child.pid}.json`);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(Object.keys(host.record).sort(), ['pid', 'port', 'startedAt', 'token', 'url', 'version', 'workspace']);
  // A file left by a dead host (pid that cannot exist) is ignored by readers.
  fs.writeFileSync(path.join(dir, '2147483646.json'), JSON.stringify({ ...host.record, pid: 2147483646 }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, '99.json'), '{not json', { mode: 0o600 });
  const live = readLiveHosts(ws.env);
  assert.deepEqual(live.map((r) => r.pid), [host.child.pid]);
  const code = await host.stop('SIGTERM');
  assert.ok(code === 143 || code === 0, `exit code ${code}`);
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(readLiveHosts(ws.env), []);
});
