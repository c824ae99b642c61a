// A real Vite dev server and redis-server already running in the workspace on their preferred
// ports are detected by fingerprint, adopted as detected_running (external: found, not started by
// Manito) and health-checked. A real PostgreSQL of another user (or running outside the
// workspace) on the database's port is not adopted: the database is moved, the holder named.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { FeedMessage } from '../../protocol/http';
import type { StackSnapshot } from '../../protocol/model';
import { freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';
import { startPostgres, startRedis, startVite, type RealServer } from './support/realServers';

let ws: Workspace;
let host: HostProcess;
let vite: RealServer;
let redis: RealServer;
let pg: RealServer;
let ports: number[];

before(async () => {
  ports = await freePorts(7);
  const [vitePort, redisPort, pgPort, apiPort, hostPort, , apiFallback] = ports;
  ws = makeWorkspace({
    environment: 'development',
    host: { ports: [hostPort] },
    services: {
      server: { preferred: [apiPort, apiFallback], kind: 'http' },
      client: { preferred: [vitePort], kind: 'vite', health: { type: 'auto', intervalMs: 200 } },
      websocket: { inheritFrom: 'server', kind: 'websocket' },
      database: { preferred: [pgPort], kind: 'postgres', health: { type: 'auto', intervalMs: 200 } },
      redis: { preferred: [redisPort], kind: 'redis', health: { type: 'auto', intervalMs: 200 } },
    },
  });
  // Each assigned as it comes up, so after() stops whatever started even when another failed.
  await Promise.all([
    startVite(vitePort, ws.dir).then((s) => { vite = s; }),
    startRedis(redisPort, ws.dir).then((s) => { redis = s; }),
    startPostgres(pgPort).then((s) => { pg = s; }),
  ]);
  host = await startHeadless(ws);
});

after(async () => {
  await host?.stop();
  await Promise.all([vite?.stop(), redis?.stop(), pg?.stop()]);
  ws?.cleanup();
});

async function snapshot(): Promise<StackSnapshot> {
  return (await getJson(`${host.url}/api/snapshot`)).body.data as StackSnapshot;
}

test('logs the seed lines for detected services, in order', () => {
  const out = host.output();
  const [vitePort, redisPort, pgPort, apiPort] = ports;
  const lines = [
    '🔧 Initializing dynamic port manager for development environment...',
    `✅ Detected Vite client server on port ${vitePort}`,
    `✅ server: port ${apiPort} (preferred)`,
    `✅ client: port ${vitePort} (detected_running)`,
    `✅ websocket: port ${apiPort} (inherited)`,
    `✅ redis: port ${redisPort} (detected_running)`,
    '✅ Dynamic port configuration complete',
  ];
  let at = -1;
  for (const line of lines) {
    const i = out.indexOf(line);
    assert.ok(i >= 0, `missing log line ${JSON.stringify(line)} in:\n${out}`);
    if (!line.startsWith('✅ Detected')) assert.ok(i > at, `log line out of order: ${line}\n${out}`);
    at = Math.max(at, i);
  }
  assert.match(out, new RegExp(`✅ Detected Redis server on port ${redisPort} \\(external: not started by Manito\\)`));
  assert.doesNotMatch(out, /Detected PostgreSQL/);
  assert.match(out, new RegExp(`${pgPort} is held by pid ${pg.child.pid} \\(.*postgres.*\\), which is not database: (it belongs to uid \\d+|it runs in .*, outside the workspace)`));
});

test('Vite and Redis of this workspace are adopted as detected_running and become healthy; PostgreSQL of another owner is not', async () => {
  const [vitePort, redisPort, pgPort] = ports;
  const snap = await until(async () => {
    const s = await snapshot();
    const by = (n: string) => s.services.find((x) => x.name === n)!;
    return ['client', 'redis'].every((n) => by(n).health === 'healthy') ? s : undefined;
  }, 15_000, 'client and redis healthy');
  const by = (n: string) => snap.services.find((x) => x.name === n)!;
  assert.notEqual(by('database').port, pgPort, 'the foreign PostgreSQL is not the database');
  assert.notEqual(by('database').reason, 'detected_running');
  assert.notEqual(by('database').health, 'healthy');
  for (const [name, port] of [['client', vitePort], ['redis', redisPort]] as const) {
    assert.equal(by(name).port, port, name);
    assert.equal(by(name).reason, 'detected_running', name);
    assert.equal(by(name).runner, 'detected', name);
    assert.ok(by(name).latencyMs !== null && by(name).latencyMs! >= 0, name);
    assert.ok(by(name).history.some((h) => h.ok), name);
  }
  // Our own child processes: /proc tells their pid.
  assert.equal(by('redis').pid, redis.child.pid);
  assert.equal(by('client').pid, vite.child.pid);
  // Nothing listens on the API port: stopped, not unhealthy (not launched, not detected).
  assert.equal(by('server').health, 'stopped');
  assert.equal(by('server').reason, 'preferred');
});

test('a detected service that dies turns unhealthy, pushed on the feed as it happens', async () => {
  const feed = new WebSocket(`ws://127.0.0.1:${host.port}/`);
  const transitions: string[] = [];
  const seen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no redis health event; saw ${transitions.join(', ')}`)), 10_000);
    feed.on('message', (data) => {
      const msg = JSON.parse(String(data)) as FeedMessage;
      if (msg.type === 'event' && msg.event.type === 'health' && msg.event.service === 'redis') {
        transitions.push(`${msg.event.from}->${msg.event.to}`);
        if (msg.event.to === 'unhealthy') {
          clearTimeout(timer);
          resolve();
        }
      }
    });
  });
  await new Promise((r) => feed.once('open', r));
  await redis.stop();
  await seen;
  feed.close();
  assert.deepEqual(transitions, ['healthy->unhealthy']);
  const s = await snapshot();
  assert.equal(s.services.find((x) => x.name === 'redis')!.health, 'unhealthy');
  // The others are on their own timers and stay healthy.
  assert.equal(s.services.find((x) => x.name === 'client')!.health, 'healthy');
});
