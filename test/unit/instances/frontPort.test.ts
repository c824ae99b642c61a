// The front port of a three-instance service, on real sockets: three real node processes, each with
// its own PORT; requests and WebSocket upgrades spread over them in turn; a stopped instance (its
// process killed) and one the health monitor calls unhealthy get nothing, and no request fails.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { createFrontPort, type FrontPort } from '../../../server/instances/frontPort';

/** Answers with its PORT; an upgrade gets a 101 and one line naming the instance. */
const INSTANCE = `const http = require('http');
const port = +process.env.PORT;
const s = http.createServer((q, r) => r.end(JSON.stringify({ port, fwd: q.headers['x-forwarded-for'] || null })));
s.on('upgrade', (q, sock) => { sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: x-test\\r\\nConnection: Upgrade\\r\\n\\r\\ninstance ' + port + '\\n'); });
s.listen(port, '127.0.0.1', () => console.log('up ' + port));`;

const children: ChildProcess[] = [];
let ports: number[];
let front: FrontPort;
let frontPort: number;
const unhealthy = new Set<number>();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function instance(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', INSTANCE], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instance ${port} exited ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  children.push(child);
  return child;
}

function get(port = frontPort): Promise<{ status: number; port: number; fwd: string | null }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.statusCode === 200 ? JSON.parse(body) : { port: 0, fwd: null }) }));
    }).on('error', reject);
  });
}

function upgrade(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: frontPort }, () => {
      socket.write('GET /hmr HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: x-test\r\n\r\n');
    });
    let text = '';
    socket.on('data', (c) => {
      text += c.toString();
      const line = /instance (\d+)\n/.exec(text);
      if (line) {
        socket.destroy();
        resolve(line[1]!);
      }
    });
    socket.on('error', reject);
  });
}

before(async () => {
  ports = [await freePort(), await freePort(), await freePort()];
  for (const p of ports) await instance(p);
  front = createFrontPort({ instances: () => ports, healthy: (p) => !unhealthy.has(p) });
  frontPort = await front.listen(0);
});

after(async () => {
  await front?.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

test('requests go to the three instances in turn, with X-Forwarded-For', async () => {
  const seen: number[] = [];
  for (let i = 0; i < 9; i++) seen.push((await get()).port);
  for (const p of ports) assert.equal(seen.filter((s) => s === p).length, 3, `instance ${p} got ${seen.join(',')}`);
  assert.equal((await get()).fwd, '127.0.0.1');
});

test('WebSocket-style upgrades are spread over the instances too', async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(await upgrade());
  assert.deepEqual([...seen].sort(), ports.map(String).sort());
});

test('a stopped instance gets nothing and no request fails; one the health monitor calls unhealthy is skipped', async () => {
  const victim = children[1]!;
  victim.kill('SIGTERM');
  await new Promise((r) => victim.once('exit', r));
  const seen: number[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await get();
    assert.equal(r.status, 200);
    seen.push(r.port);
  }
  assert.equal(seen.includes(ports[1]!), false);
  assert.ok(seen.includes(ports[0]!) && seen.includes(ports[2]!), seen.join(','));
  const upgrades = new Set<string>();
  for (let i = 0; i < 6; i++) upgrades.add(await upgrade());
  assert.deepEqual([...upgrades].sort(), [ports[0], ports[2]].map(String).sort());

  unhealthy.add(ports[2]!);
  for (let i = 0; i < 5; i++) assert.equal((await get()).port, ports[0]);
  unhealthy.clear();
});

test('a refused instance stays backed off (the clock stands still) until the health monitor calls it healthy again', async () => {
  const down = await freePort();
  const other = createFrontPort({ instances: () => [ports[0]!, down], clock: () => 0 });
  const port = await other.listen(0);
  try {
    for (let i = 0; i < 4; i++) assert.equal((await get(port)).port, ports[0], 'the refused instance is passed over, the request retried');
    await instance(down);
    for (let i = 0; i < 4; i++) assert.equal((await get(port)).port, ports[0], 'back-off holds while no health word comes');
    other.healed(down);
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) seen.add((await get(port)).port);
    assert.deepEqual([...seen].sort(), [ports[0]!, down].sort());
  } finally {
    await other.close();
  }
});
