// Handover of leases between hosts of one workspace: a dead host's leases (or those handed over at
// a clean restart) go to the next engine of the same workspace with their port and reason, and
// their explanation while the holder it names still runs; for every other workspace they are free
// ports as before.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { beforeEach, test } from 'node:test';
import { leasesFile } from '../../../server/discovery/stateFolder';
import { LeaseRegistry } from '../../../server/engine/leaseRegistry';
import { close, engineFor, foreignListener, freeRange, listen, ports, tempStateDir } from './engineTestKit';

let B = 0;
beforeEach(async () => {
  tempStateDir();
  B = await freeRange(6);
});

const stack = () => ({ services: { web: { preferred: [B, B + 1] }, ws: { inheritFrom: 'web' }, db: { preferred: [B + 3] } } });

test('handed over at dispose: the next engine of the workspace keeps port, reason and explanation; others are not kept off', async () => {
  const blocker = await listen(B, '127.0.0.1');
  const first = engineFor(stack());
  await first.engine.allocateAll();
  const before = first.engine.get('web')!;
  assert.equal(before.port, B + 1);
  await first.engine.dispose({ handOver: true });
  await close(blocker); // B is free again, yet the web service may still be listening on B + 1

  const other = engineFor(stack(), { workspace: '/other' });
  await other.engine.allocateAll();
  assert.deepEqual(ports(other.engine), { web: B, ws: B, db: B + 3 }, 'handed-over leases block no other workspace');
  await other.engine.dispose();

  const next = engineFor(stack());
  await next.engine.allocateAll();
  const web = next.engine.get('web')!;
  assert.deepEqual([web.port, web.reason, web.explanation], [B + 1, before.reason, before.explanation]);
  assert.match(web.explanation, new RegExp(`${B} is held by`));
  assert.equal(before.holder?.pid, process.pid);
  assert.deepEqual(web.holder, before.holder, 'the holder the explanation names comes over with it');
  assert.equal(next.engine.get('ws')!.port, B + 1);
  assert.equal(next.engine.get('db')!.port, B + 3);
  await next.engine.dispose();
});

test('a dead host of the same workspace is taken over; a plain dispose releases', async () => {
  const file = leasesFile();
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [
    { port: B + 1, service: 'web', workspace: '/test/ws', pid: 999999, owner: 'x', since: '', reason: 'fallback', explanation: 'kept', holder: { pid: 'x', command: 'vite', evil: 1 } },
    { port: B + 5, service: 'db', workspace: '/gone', pid: 999999, owner: 'x', since: '' },
  ] }));
  const { engine } = engineFor(stack());
  await engine.allocateAll();
  // A hand-edited holder keeps only its well-formed fields: no pid, so whether it still runs is
  // unknown, and the port is simply kept.
  assert.deepEqual(engine.get('web'), { service: 'web', port: B + 1, reason: 'fallback', explanation: `web keeps ${B + 1} from this workspace's previous host` });
  const leases = new LeaseRegistry({ file }).read();
  assert.deepEqual(leases.map((l) => `${l.service}:${l.port}:${l.reason}`).sort(), [`db:${B + 3}:preferred`, `web:${B + 1}:fallback`, `ws:${B + 1}:inherited`]);
  await engine.dispose();
  const again = engineFor(stack());
  await again.engine.allocateAll();
  // Released, not handed over: nothing is taken over, but the workspace's remembered port (sticky, plan/memory.ts) is still its own.
  assert.deepEqual([again.engine.get('web')!.port, again.engine.get('web')!.explanation], [B + 1, `web keeps ${B + 1}, its port in this workspace last time`]);
  await again.engine.dispose();
});

test('a host of the workspace still shutting down (window reload): the first allocation waits for it, boundedly', async () => {
  const file = leasesFile();
  const oldLease = { port: B + 1, service: 'web', workspace: '/test/ws', pid: 4242, owner: 'old', since: '', reason: 'fallback', explanation: 'kept' };
  let oldAlive = true;
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [oldLease] }));
  setTimeout(() => { oldAlive = false; }, 300);
  const { engine } = engineFor(stack(), { registry: new LeaseRegistry({ file, isAlive: (pid) => pid === 4242 && oldAlive }) });
  const t0 = Date.now();
  await engine.allocateAll();
  assert.ok(Date.now() - t0 >= 250, 'waited for the old host');
  const web = engine.get('web')!;
  assert.deepEqual([web.port, web.reason, web.explanation], [B + 1, 'fallback', 'kept']);
  await engine.dispose();

  // A host of the same workspace that stays: one bounded wait, then its lease is respected.
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [oldLease] }));
  const stays = engineFor(stack(), { registry: new LeaseRegistry({ file, isAlive: () => true }), handoverWaitMs: 200 });
  const t1 = Date.now();
  await stays.engine.allocateAll();
  assert.ok(Date.now() - t1 >= 200 && Date.now() - t1 < 2000);
  assert.equal(stays.engine.get('web')!.port, B);
  await stays.engine.dispose();
});

test('a predecessor\'s "found already running" lease is not taken over word for word: the port is placed afresh', async () => {
  const file = leasesFile();
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [
    { port: B + 1, service: 'web', workspace: '/test/ws', pid: 999999, owner: 'x', since: '', reason: 'detected_running', explanation: 'web was already running on it (pid 999998, vite); adopted' },
  ] }));
  const { engine } = engineFor(stack());
  await engine.allocateAll();
  // The process it named is gone: the service gets its first preferred port, with a sentence of this host's.
  assert.deepEqual([engine.get('web')!.port, engine.get('web')!.reason], [B, 'preferred']);
  assert.doesNotMatch(engine.get('web')!.explanation, /999998/);
  await engine.dispose();
});

test('a taken-over explanation stays while the holder it names runs; once that holder exits, the successor says so', async () => {
  const vite = await foreignListener(B, '127.0.0.1');
  try {
    const first = engineFor(stack());
    await first.engine.allocateAll();
    const web = first.engine.get('web')!;
    assert.match(web.explanation, new RegExp(`^${B} is held by pid ${vite.pid} \\(.*node -e .*\\), assigned ${B + 1}$`));
    assert.equal(web.holder?.pid, vite.pid);
    if (process.platform === 'linux') assert.ok(Number.isInteger(web.holder?.startTime), 'the lease keeps the holder\'s start time');
    await first.engine.dispose({ handOver: true });

    const second = engineFor(stack());
    await second.engine.allocateAll();
    assert.deepEqual(second.engine.get('web'), web, 'still held by the same process: word for word');
    await second.engine.dispose({ handOver: true });
  } finally {
    await vite.stop();
  }
  const third = engineFor(stack());
  await third.engine.allocateAll();
  const after = third.engine.get('web')!;
  // The exited holder stays named, so the host can say the port is free again and offer the move back.
  assert.deepEqual([after.port, after.reason, after.holder?.pid], [B + 1, 'fallback', vite.pid]);
  assert.match(after.explanation, new RegExp(`^web keeps ${B + 1} from this workspace's previous host; pid ${vite.pid} \\(.*node -e .*\\), which held the port it wanted then, has exited$`));
  await third.engine.dispose();
});

test('a holder whose pid now belongs to another process (another start time) is gone too', async () => {
  const file = leasesFile();
  const holder = { pid: process.pid, startTime: 1, command: 'vite' };
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [
    { port: B + 1, service: 'web', workspace: '/test/ws', pid: 999999, owner: 'x', since: '', reason: 'fallback', explanation: `${B} is held by pid ${process.pid} (vite), assigned ${B + 1}`, holder },
  ] }));
  const { engine } = engineFor(stack());
  await engine.allocateAll();
  assert.equal(engine.get('web')!.explanation, process.platform === 'linux'
    ? `web keeps ${B + 1} from this workspace's previous host; pid ${process.pid} (vite), which held the port it wanted then, has exited`
    : `${B} is held by pid ${process.pid} (vite), assigned ${B + 1}`);
  await engine.dispose();
});
