// Issue 18 item 2: `instances: 3` starts three real node HTTP processes, each on its own port; the
// service's own port is a round-robin front that spreads requests (and WebSocket upgrades) over
// them and skips one that was killed; a dependent starts once the front and an instance answer, with
// MANITO_WEB_PORT (the front), MANITO_WEB_PORTS and ${ports.web[2]}; nothing survives Stop or a SIGKILL of the host.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import WebSocket from 'ws';
import { TOKEN_HEADER, type FeedMessage, type HealthResponse } from '../../protocol/http';
import type { StackSnapshot } from '../../protocol/model';
import { isAlive } from '../../server/launch/processTree';
import { runCli } from './cliSupport';
import { freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';

// Answers `<instance> <pid>`; an upgrade gets a 101 and one text frame with the same words.
const INSTANCE_JS = `const crypto = require('crypto');
const me = process.env.MANITO_INSTANCE + ' ' + process.pid;
const server = require('http').createServer((q, s) => s.end(me));
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  socket.write(Buffer.concat([Buffer.from([0x81, Buffer.byteLength(me)]), Buffer.from(me)]));
  socket.on('error', () => {});
});
server.listen(+process.env.PORT, '127.0.0.1');`;
const API_JS = `require('fs').writeFileSync('api-env.json', JSON.stringify({ port: process.env.MANITO_WEB_PORT, ports: process.env.MANITO_WEB_PORTS, second: process.argv[2], pid: process.pid }));
require('http').createServer((q, s) => s.end('api')).listen(+process.env.PORT, '127.0.0.1');`;

let ws: Workspace | undefined;
let host: HostProcess | undefined;
const leftovers: number[] = [];
afterEach(async () => {
  await host?.stop('SIGKILL');
  host = undefined;
  for (const pid of leftovers.splice(0)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  ws?.cleanup();
  ws = undefined;
});

async function startStack(): Promise<{ front: number; snapshot: () => Promise<StackSnapshot> }> {
  const [hostPort, webPort, apiPort] = await freePorts(3);
  const health = { type: 'http' as const, path: '/', intervalMs: 150 };
  ws = makeWorkspace({
    host: { ports: [hostPort!] },
    services: {
      web: { preferred: [webPort!], kind: 'http', command: 'node instance.js', instances: 3, health },
      api: { preferred: [apiPort!], kind: 'http', command: 'node api.js ${ports.web[2]}', dependsOn: ['web'], health },
    },
  });
  fs.writeFileSync(path.join(ws.dir, 'instance.js'), INSTANCE_JS);
  fs.writeFileSync(path.join(ws.dir, 'api.js'), API_JS);
  host = await startHeadless(ws);
  const url = host.url;
  const res = await fetch(`${url}/api/stack/start`, { method: 'POST', headers: { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200, await res.text());
  const snapshot = async () => (await getJson(`${url}/api/snapshot`)).body.data as StackSnapshot;
  const front = (await snapshot()).services.find((s) => s.name === 'web')!.port!;
  return { front, snapshot };
}

const ask = (port: number) => fetch(`http://127.0.0.1:${port}/`).then(async (r) => ({ status: r.status, body: await r.text() }));
const instanceOfBody = (body: string) => body.split(' ')[0];

async function instancePids(front: number): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  await until(async () => {
    const r = await ask(front).catch(() => undefined);
    if (r?.status === 200) pids.set(instanceOfBody(r.body)!, Number(r.body.split(' ')[1]));
    return pids.size === 3 || undefined;
  }, 30_000, 'answers from all three instances through the front');
  return pids;
}

async function assertAllGone(pids: number[]): Promise<void> {
  leftovers.push(...pids);
  await until(() => pids.every((pid) => !isAlive(pid)) || undefined, 5000, `pids ${pids.join(', ')} gone`).catch(() => undefined);
  assert.deepEqual(pids.filter(isAlive), [], 'no instance or dependent outlives its stack by 5 s');
}

test('three instances behind the front: spread, env, WebSocket, one killed is skipped, /api/health, all gone after Stop', async () => {
  const { front, snapshot } = await startStack();
  // The dependent starts only once the front and at least one instance answer.
  const env = await until(() => { try { return JSON.parse(fs.readFileSync(path.join(ws!.dir, 'api-env.json'), 'utf8')); } catch { return undefined; } }, 30_000, 'api started with its env');
  const services = (await snapshot()).services;
  const ports = [1, 2, 3].map((i) => services.find((s) => s.name === `web#${i}`)!.port!);
  assert.equal(new Set([front, ...ports]).size, 4, 'the front and each instance on a port of its own');
  assert.deepEqual(env, { port: String(front), ports: ports.join(','), second: String(ports[1]), pid: env.pid });
  assert.deepEqual(services.find((s) => s.name === 'web#2')!.instanceOf, { service: 'web', index: 2 });

  const pids = await instancePids(front);
  const seen = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const r = await ask(front);
    assert.equal(r.status, 200);
    seen.set(instanceOfBody(r.body)!, (seen.get(instanceOfBody(r.body)!) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), ['1', '2', '3'], `30 requests spread over all three: ${[...seen].join(' ')}`);

  const upgraded = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const socket = new WebSocket(`ws://127.0.0.1:${front}/`);
    upgraded.add(instanceOfBody(await new Promise<string>((resolve, reject) => { socket.once('message', (d) => resolve(String(d))); socket.once('error', reject); }))!);
    socket.terminate();
  }
  assert.ok(upgraded.size >= 2, `six WebSocket upgrades reach more than one instance: ${[...upgraded].join(', ')}`);

  const health = await until(async () => {
    const body = (await getJson(`${host!.url}/api/health?detailed=true`)).body as HealthResponse;
    return body.services?.web?.instances?.every((i) => i.status === 'healthy') ? body : undefined;
  }, 15_000, 'every instance healthy in /api/health');
  assert.deepEqual(health.services!.web!.instances!.map((i) => [i.index, i.port]), [[1, ports[0]], [2, ports[1]], [3, ports[2]]]);
  assert.equal(health.services!['web#1'], undefined, 'instances are listed under their service, not beside it');

  // Kill instance 2 behind the runner's back; the monitor calls it unhealthy, then the front skips it.
  const feed = new WebSocket(`ws://127.0.0.1:${host!.port}/`);
  const unhealthy = new Promise<void>((resolve) => feed.on('message', (d) => {
    const m = JSON.parse(String(d)) as FeedMessage;
    if (m.type === 'event' && m.event.type === 'health' && m.event.service === 'web#2' && m.event.to === 'unhealthy') resolve();
  }));
  await new Promise((r) => feed.once('open', r));
  process.kill(pids.get('2')!, 'SIGKILL');
  await unhealthy;
  feed.close();
  const after = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const r = await ask(front);
    assert.equal(r.status, 200, `request ${i} after instance 2 died: ${r.body}`);
    after.add(instanceOfBody(r.body)!);
  }
  assert.deepEqual([...after].sort(), ['1', '3']);
  const row = (await snapshot()).services.find((s) => s.name === 'web')!;
  assert.deepEqual(row.instances, { total: 3, healthy: 2 });
  const status = await runCli(['status', ws!.dir], { env: ws!.env });
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, new RegExp(`web +${front} +preferred +healthy \\(2/3 instances\\)`));
  for (const [i, p] of ports.entries()) assert.match(status.stdout, new RegExp(`^ +web#${i + 1} +${p} `, 'm'), status.stdout);

  const stop = await fetch(`${host!.url}/api/stack/stop`, { method: 'POST', headers: { [TOKEN_HEADER]: host!.token, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(stop.status, 200, await stop.text());
  await assertAllGone([...pids.values(), env.pid]);
  assert.equal(await ask(front).then(() => true, () => false), false, 'the front is closed with its service');
});

test('SIGKILL of the host: no instance of a multi-instance service survives 5 s', async () => {
  const { front } = await startStack();
  const pids = await instancePids(front);
  await host!.stop('SIGKILL');
  await assertAllGone([...pids.values()]);
});
