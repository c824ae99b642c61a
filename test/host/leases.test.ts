// Many Manito hosts at once: real node processes allocate the same stack at the same moment,
// round after round, and never receive the same port; a host killed with SIGKILL loses its leases
// to the next allocation because its pid is dead.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { StackConfig } from '../../protocol/config';
import { LeaseRegistry } from '../../server/engine/leaseRegistry';
import { freeRange } from '../unit/engine/engineTestKit';
import { registryDump } from './support/registryDump';

const WORKERS = 8;
const ROUNDS = 10;
const worker = path.join(__dirname, '..', 'unit', 'engine', 'fixtures', 'leaseWorker.ts');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-leases-'));
const registryFile = path.join(stateDir, 'leases.json');
const leases = () => new LeaseRegistry({ file: registryFile }).read();

/** Asserts how many live leases (of `pid`, else all) the registry holds; a wrong count prints what it holds. */
function assertLeases(expected: number, what: string, pid?: number): void {
  const held = leases().filter((l) => pid === undefined || l.pid === pid);
  if (held.length === expected) return;
  const workerPids = workers.map((w) => w.child.pid).join(' ');
  assert.fail(`${what}: ${held.length} leases where ${expected} were expected\nworkers: ${workerPids}\n${registryDump(registryFile)}`);
}

interface Worker {
  child: ChildProcess;
  next(): Promise<any>;
}

function start(): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, MANITO_STATE_DIR: stateDir },
  });
  // A worker's error fails the round that waits on it, with the worker's stack (a throw in this
  // handler would only be an uncaught exception, and the round would wait out the test's timeout).
  const inbox: any[] = [];
  const waiting: Array<(m: any) => void> = [];
  child.on('message', (m: any) => {
    const w = waiting.shift();
    if (w) w(m); else inbox.push(m);
  });
  const settle = (m: any) => (m.type === 'error' ? Promise.reject(new Error(`worker ${child.pid}: ${m.message}`)) : m);
  const next = () => new Promise<any>((resolve) => { const m = inbox.shift(); if (m) resolve(m); else waiting.push(resolve); }).then(settle);
  return next().then(() => ({ child, next }));
}

async function kill(w: Worker): Promise<void> {
  const exited = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGKILL');
  await exited; // reaped: no zombie keeps the pid looking alive
}

let workers: Worker[] = [];
let stack: StackConfig;
before(async () => {
  const B = await freeRange(60);
  stack = {
    services: {
      server: { preferred: [B, B + 1, B + 2], conflicts: ['client'] },
      client: { preferred: [B + 10, B + 11, B + 12], conflicts: ['server'] },
      websocket: { inheritFrom: 'server' },
      database: { preferred: [B + 20, B + 21, B + 22] },
      redis: { preferred: [B + 30, B + 31, B + 32] },
      monitoring: { preferred: [B + 40, B + 41, B + 42] },
    },
  };
  workers = await Promise.all(Array.from({ length: WORKERS }, () => start()));
});
after(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) await kill(w);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

async function allocate(group: Worker[], what: StackConfig = stack, workspace?: string): Promise<Array<{ pid: number; ports: Record<string, number> }>> {
  const at = Date.now() + 150;
  for (const w of group) w.child.send({ type: 'allocate', stack: what, at, ...(workspace ? { workspace } : {}) });
  return Promise.all(group.map((w) => w.next()));
}

async function release(group: Worker[]): Promise<void> {
  for (const w of group) w.child.send({ type: 'release' });
  await Promise.all(group.map((w) => w.next()));
}

test(`${WORKERS} hosts allocating the same stack at the same moment, ${ROUNDS} rounds: no duplicate port`, { timeout: 120_000 }, async () => {
  let handed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const results = await allocate(workers);
    const seen = new Map<number, string>();
    for (const r of results) {
      assert.equal(r.ports.websocket, r.ports.server);
      for (const [service, port] of Object.entries(r.ports)) {
        if (service === 'websocket') continue;
        const who = `${r.pid}:${service}`;
        assert.ok(!seen.has(port), `round ${round}: ${port} given to ${seen.get(port)} and ${who}`);
        seen.set(port, who);
      }
    }
    handed += seen.size;
    assert.equal(seen.size, WORKERS * 5);
    assertLeases(WORKERS * 6, `round ${round}, all ${WORKERS} hosts allocated`);
    await release(workers);
  }
  assert.equal(handed, ROUNDS * WORKERS * 5);
  assertLeases(0, 'every host released');
});

test(`${WORKERS} hosts allocating a stack of 30 services at once: no duplicate port, no free port seen as busy`, { timeout: 120_000 }, async () => {
  // Every host wants the same 30 first ports, so all but one fall back, deciding while the others'
  // leases appear. Probe binds happen only under the registry lock, so the host that takes it
  // first sees every first port free and gets all 30; a host with some but not all of them was
  // told a free port was busy (another host's probe bind at the same moment).
  const N = 30;
  const B = await freeRange(8 * N);
  const big: StackConfig = {
    services: Object.fromEntries(Array.from({ length: N }, (_, i) => [`s${i}`, { preferred: [B + i, B + N + i] }])),
  };
  for (let round = 0; round < 8; round++) {
    const results = await allocate(workers, big);
    const seen = new Map<number, string>();
    let winners = 0;
    for (const r of results) {
      const ports = Object.values(r.ports);
      const first = ports.filter((p) => p < B + N).length;
      assert.ok(first === 0 || first === N, `round ${round}: host ${r.pid} got ${first} of the ${N} first ports`);
      if (first === N) winners++;
      for (const [service, port] of Object.entries(r.ports)) {
        const who = `${r.pid}:${service}`;
        assert.ok(!seen.has(port), `round ${round}: ${port} given to ${seen.get(port)} and ${who}`);
        seen.set(port, who);
      }
    }
    assert.equal(winners, 1, `round ${round}: one host gets the first ports`);
    assert.equal(seen.size, WORKERS * N);
    await release(workers);
  }
  assertLeases(0, 'every host released');
});

test('a host killed with SIGKILL frees its leases for the next allocation', { timeout: 60_000 }, async () => {
  const [victim, heir, ...rest] = workers;
  // Workspaces of their own: the workers' usual ones remember the fallback ports of the rounds
  // above (sticky ports), and would keep them here.
  const [first] = await allocate([victim], stack, '/victim');
  for (const [name, s] of Object.entries(stack.services)) assert.equal(first.ports[name], s.preferred?.[0] ?? first.ports.server, name);
  assertLeases(6, 'the victim allocated', first.pid);
  // While the victim lives, a second host is kept off its ports.
  const [blocked] = await allocate([heir], stack, '/blocked');
  assert.notEqual(blocked.ports.server, first.ports.server);
  await release([heir]);

  await kill(victim);
  workers = [heir, ...rest];
  const [next] = await allocate([heir], stack, '/heir');
  assert.deepEqual(next.ports, first.ports, 'the dead host\'s ports go to the next allocation');
  assertLeases(0, 'the dead host\'s leases were reclaimed', first.pid);
  await release([heir]);
});
