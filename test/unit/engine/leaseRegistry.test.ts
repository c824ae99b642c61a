// The registry and its lock without other processes: dead hosts' leases are dropped, a lock left
// by a dead pid or gone stale is broken, a second engine never gets a leased port, and the file
// shrinks back (crash-safely) when leases go.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, test } from 'node:test';
import { leasesFile } from '../../../protocol/discovery';
import { withFileLock } from '../../../server/engine/fileLock';
import { LeaseRegistry } from '../../../server/engine/leaseRegistry';
import { engineFor, freeRange, ports, tempStateDir } from './engineTestKit';

let dir = '';
let B = 0;
beforeEach(async () => {
  dir = tempStateDir();
  B = await freeRange(6);
});

test('two engines on one registry never share a port, and leases name pid, workspace and service', async () => {
  const stack = { services: { web: { preferred: [B, B + 1] }, ws: { inheritFrom: 'web' } } };
  const one = engineFor(stack, { workspace: '/one' });
  const two = engineFor(stack, { workspace: '/two' });
  await Promise.all([one.engine.allocateAll(), two.engine.allocateAll()]);
  assert.notEqual(one.engine.get('web')!.port, two.engine.get('web')!.port);
  const leases = new LeaseRegistry({ file: leasesFile() }).read();
  assert.equal(leases.length, 4);
  for (const l of leases) assert.equal(l.pid, process.pid);
  assert.deepEqual(leases.map((l) => `${l.workspace}:${l.service}`).sort(), ['/one:web', '/one:ws', '/two:web', '/two:ws']);
  await one.engine.dispose();
  assert.deepEqual(new LeaseRegistry({ file: leasesFile() }).read().map((l) => l.workspace), ['/two', '/two']);
  await two.engine.dispose();
});

test('leases of a dead host are reclaimed', async () => {
  const file = leasesFile();
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [
    { port: B, service: 'web', workspace: '/gone', pid: 999999, owner: 'x', since: '' },
  ] }));
  const { engine } = engineFor({ services: { web: { preferred: [B] } } });
  await engine.allocateAll();
  assert.equal(engine.get('web')!.port, B);
  assert.deepEqual(new LeaseRegistry({ file }).read().map((l) => l.workspace), ['/test/ws']);
  await engine.dispose();
});

test('a live host\'s lease is honoured and named', async () => {
  const file = leasesFile();
  const registry = new LeaseRegistry({ file, isAlive: () => true });
  fs.writeFileSync(file, JSON.stringify({ version: 1, leases: [
    { port: B, service: 'api', workspace: '/other', pid: 4242, owner: 'y', since: '' },
  ] }));
  const { engine } = engineFor({ services: { web: { preferred: [B, B + 1] } } }, { registry });
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { web: B + 1 });
  assert.equal(engine.get('web')!.reason, 'fallback');
  assert.equal(engine.get('web')!.explanation, `${B} is held by api of /other (Manito host pid 4242), assigned ${B + 1}`);
  await assert.rejects(engine.adopt('web', B, 'found'), /leased by api of \/other/);
  await engine.dispose();
});

test('a lock left by a dead pid is broken at once; a live one is waited for', async () => {
  const lock = path.join(dir, 'x.lock');
  fs.writeFileSync(lock, JSON.stringify({ pid: 999999, nonce: 'dead' }));
  assert.equal(await withFileLock(lock, () => 'got it'), 'got it');
  assert.equal(fs.existsSync(lock), false);

  let order: string[] = [];
  const first = withFileLock(lock, async () => { order.push('a'); await new Promise((r) => setTimeout(r, 30)); order.push('a-end'); });
  const second = withFileLock(lock, () => { order.push('b'); });
  await Promise.all([first, second]);
  assert.deepEqual(order, ['a', 'a-end', 'b']);

  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, nonce: 'hung' }));
  order = [];
  await withFileLock(lock, () => { order.push('stale broken'); }, { clock: () => Date.now() + 60_000 });
  assert.deepEqual(order, ['stale broken']);
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, nonce: 'held' }));
  await assert.rejects(withFileLock(lock, () => 0, { timeoutMs: 30 }), { name: 'LockTimeoutError', message: /held by pid \d+/ });
});

test('a corrupt registry file is started over rather than blocking every host', async () => {
  fs.writeFileSync(leasesFile(), '{ not json');
  const { engine } = engineFor({ services: { web: { preferred: [B] } } });
  await engine.allocateAll();
  assert.equal(engine.get('web')!.port, B);
  await engine.dispose();
});

test('the file shrinks back when leases go, and a file left padded by a killed host reads the same', async () => {
  const file = path.join(dir, 'shrink.json');
  const registry = new LeaseRegistry({ file });
  const lease = (i: number) => ({ port: B + (i % 6), service: `s${i}`, workspace: '/w', pid: process.pid, owner: `o${i}`, since: '' });
  await registry.transact((leases) => { for (let i = 0; i < 40; i++) leases.push(lease(i)); });
  const full = fs.statSync(file).size;
  await registry.transact((leases) => { leases.splice(0, leases.length, lease(0)); });
  const text = fs.readFileSync(file, 'utf8');
  assert.equal(fs.statSync(file).size, Buffer.byteLength(text.trimEnd()), 'no padding left behind');
  assert.ok(fs.statSync(file).size < full / 10, `${fs.statSync(file).size} bytes after ${full}`);
  // Killed after the padded write, before the cut: the same lease, then written back cut.
  fs.writeFileSync(file, text + ' '.repeat(5000));
  assert.deepEqual(registry.read().map((l) => l.service), ['s0']);
  await registry.transact((leases) => { leases.push(lease(1)); });
  assert.deepEqual(registry.read().map((l) => l.service), ['s0', 's1']);
  assert.equal(fs.statSync(file).size, Buffer.byteLength(fs.readFileSync(file, 'utf8').trimEnd()));
});
