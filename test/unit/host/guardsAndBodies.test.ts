// The HTTP guards, the /proc/net/tcp parser and the seed-shaped bodies, as pure functions.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import type { StackSnapshot } from '../../../protocol/model';
import { listeningSockets, parseTcpTable } from '../../../server/proc/tcpTable';
import { healthBody, portsBody } from '../../../server/http/apiBodies';
import { isAllowedHost, isAllowedOrigin, isJsonContentType, tokenMatches } from '../../../server/http/guards';

test('Host allowlist: loopback names with this port only', () => {
  for (const h of ['localhost:41730', '127.0.0.1:41730', '[::1]:41730', 'LOCALHOST:41730']) assert.ok(isAllowedHost(h, 41730), h);
  for (const h of [undefined, 'localhost', 'localhost:41731', 'evil.com:41730', '127.0.0.1.evil.com:41730', '0.0.0.0:41730']) assert.ok(!isAllowedHost(h, 41730), String(h));
});

test('Origin: none, the host itself, or a VS Code webview', () => {
  for (const o of [undefined, 'http://localhost:41730', 'http://127.0.0.1:41730', 'http://[::1]:41730', 'vscode-webview://abc123']) assert.ok(isAllowedOrigin(o, 41730), String(o));
  for (const o of ['null', 'http://evil.com', 'https://localhost:41730', 'http://localhost:41731', 'vscode-webview://', 'vscode-webview://a/b', 'file://']) assert.ok(!isAllowedOrigin(o, 41730), o);
});

test('token and content type', () => {
  assert.ok(tokenMatches('abc', 'abc'));
  assert.ok(!tokenMatches('abd', 'abc'));
  assert.ok(!tokenMatches(undefined, 'abc'));
  assert.ok(!tokenMatches(['abc'], 'abc'));
  assert.ok(isJsonContentType('application/json; charset=utf-8'));
  assert.ok(!isJsonContentType('text/plain'));
  assert.ok(!isJsonContentType(undefined));
});

test('parseTcpTable keeps listeners and decodes addresses', () => {
  const v4 = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 12346 1 0000000000000000 100 0 0 10 0',
  ].join('\n');
  assert.deepEqual(parseTcpTable(v4, 4), [{ port: 8080, address: '127.0.0.1', family: 4, inode: 12345, state: 'listen' }]);
  const v6 = '  sl  local_address                         remote_address                        st\n   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1';
  assert.deepEqual(parseTcpTable(v6, 6), [{ port: 5432, address: '::1', family: 6, inode: 999, state: 'listen' }]);
});

test('listeningSockets sees a real listener', async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  assert.ok(listeningSockets().some((s) => s.port === port && s.address === '127.0.0.1'));
  server.close();
});

const snapshot = {
  workspace: '/w', configSource: 'default', configOrigin: { label: 'embedded default: nothing found', files: [] }, configPath: null, environment: 'development', strategy: 'minimal', configErrors: [],
  host: { pid: 1, port: 41730, url: 'http://127.0.0.1:41730', version: '0.1.0', startedAt: new Date(0).toISOString(), uptimeSec: 1, connections: 4, trusted: true },
  services: [
    { name: 'server', kind: 'http', port: 3000, reason: 'preferred', url: 'http://localhost:3000', health: 'healthy' },
    { name: 'client', kind: 'vite', port: 5173, reason: 'detected_running', url: 'http://localhost:5173', health: 'healthy' },
    { name: 'websocket', kind: 'websocket', port: 3000, reason: 'inherited', url: 'ws://localhost:3000', health: 'healthy' },
    { name: 'broken', kind: 'http', port: null, reason: null, url: null, health: 'stopped' },
  ].map((s) => ({ explanation: '', healthSince: new Date(0).toISOString(), lastCheck: null, latencyMs: null, history: [], runner: null, pid: null, hasCommand: false, dependsOn: [], ...s })),
} as StackSnapshot;

test('portsBody is the seed example, byte for byte', () => {
  assert.equal(JSON.stringify(portsBody(snapshot)), JSON.stringify({
    success: true,
    data: {
      server: 3000, client: 5173, websocket: 3000, environment: 'development',
      urls: { server: 'http://localhost:3000', client: 'http://localhost:5173', websocket: 'ws://localhost:3000' },
    },
  }));
});

test('healthBody: Manito, and services.websocket with the seed fields', () => {
  const plain = healthBody(snapshot, false, { connections: 4, startedAt: Date.now() - 177_630 });
  assert.equal(plain.service, 'Manito');
  assert.equal(plain.services, undefined);
  const detailed = healthBody(snapshot, true, { connections: 4, startedAt: Date.now() - 177_630 });
  const w = detailed.services!.websocket;
  assert.equal(w.status, 'healthy');
  assert.equal(w.connections, 4);
  assert.ok(Math.abs(w.uptime! - 177.63) < 1);
  assert.ok(!Number.isNaN(Date.parse(w.timestamp!)));
  assert.equal(detailed.services!.client.reason, 'detected_running');
});
