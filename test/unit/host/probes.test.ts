// The real probes against a real HTTP server: cheap by default (a TCP connect for an HTTP service,
// HEAD / for an http check without a path), GET only for a path the user names.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createProbe } from '../../../server/health/probes';

async function countingServer(status = 200) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(status, { 'content-type': 'text/html', 'set-cookie': 'session=new' });
    res.end(req.method === 'HEAD' ? undefined : '<html>a page</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { requests, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const probe = createProbe(() => true);

test('auto on an HTTP service: a TCP connect, no request at all', async (t) => {
  const s = await countingServer();
  t.after(s.close);
  const r = await probe({ service: 'api', kind: 'http', port: s.port, cwd: '/' });
  assert.equal(r.ok, true);
  assert.equal(r.detail, 'tcp');
  const ws = await probe({ service: 'ws', kind: 'websocket', port: s.port, check: { type: 'auto' }, cwd: '/' });
  assert.equal(ws.ok, true);
  assert.deepEqual(s.requests, []);
});

test('an http check without a path: HEAD /, judged by its status', async (t) => {
  const s = await countingServer();
  t.after(s.close);
  const r = await probe({ service: 'api', kind: 'http', port: s.port, check: { type: 'http' }, cwd: '/' });
  assert.deepEqual({ ok: r.ok, detail: r.detail }, { ok: true, detail: 'http 200' });
  const wrong = await probe({ service: 'api', kind: 'http', port: s.port, check: { type: 'http', expectStatus: 204 }, cwd: '/' });
  assert.deepEqual({ ok: wrong.ok, detail: wrong.detail }, { ok: false, detail: 'http 200, expected 204' });
  assert.deepEqual(s.requests, ['HEAD /', 'HEAD /']);
});

test('an http check with a path: GET that path', async (t) => {
  const s = await countingServer(503);
  t.after(s.close);
  const r = await probe({ service: 'api', kind: 'http', port: s.port, check: { type: 'http', path: '/healthz' }, cwd: '/' });
  assert.deepEqual({ ok: r.ok, detail: r.detail }, { ok: false, detail: 'http 503' });
  assert.deepEqual(s.requests, ['GET /healthz']);
});

test('nothing listening: every probe fails fast with the reason', async () => {
  const s = await countingServer();
  await s.close();
  for (const check of [undefined, { type: 'http' as const }]) {
    const r = await probe({ service: 'api', kind: 'http', port: s.port, check, cwd: '/' });
    assert.equal(r.ok, false);
    assert.match(r.detail, /ECONNREFUSED/);
  }
});
