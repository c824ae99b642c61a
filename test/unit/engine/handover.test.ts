// Handover of leases between hosts of one workspace: a dead host's leases (or those handed over at
// a clean restart) go to the next engine of the same workspace with their port, reason and
// explanation, while for every other workspace they are free ports as before.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { beforeEach, test } from 'node:test';
import { leasesFile } from '../../../protocol/discovery';
import { LeaseRegistry } from '../../../server/engine/leaseRegistry';
import { close, engineFor, freeRange, listen, ports, tempStateDir } from './engineTestKit';

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
  // A hand-edited holder keeps only its well-formed fields.
  assert.deepEqual(engine.get('web'), { service: 'web', port: B + 1, reason: 'fallback', explanation: 'kept', holder: { command: 'vite' } });
  const leases = new LeaseRegistry({ file }).read();
  assert.deepEqual(leases.map((l) => `${l.service}:${l.port}:${l.reason}`).sort(), [`db:${B + 3}:preferred`, `web:${B + 1}:fallback`, `ws:${B + 1}:inherited`]);
  await engine.dispose();
  const again = engineFor(stack());
  await again.engine.allocateAll();
  assert.equal(again.engine.get('web')!.port, B, 'released, not handed over: allocated afresh');
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
