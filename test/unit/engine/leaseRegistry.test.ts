// The registry without other hosts: dead hosts' leases are dropped, a second engine never gets a
// leased port, a corrupt file is started over, and every write replaces the file whole.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, test } from 'node:test';
import { leasesFile } from '../../../server/discovery/stateFolder';
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

test('a corrupt registry file is started over rather than blocking every host', async () => {
  fs.writeFileSync(leasesFile(), '{ not json');
  const { engine } = engineFor({ services: { web: { preferred: [B] } } });
  await engine.allocateAll();
  assert.equal(engine.get('web')!.port, B);
  await engine.dispose();
});

test('writes are atomic: a reader in another process only ever gets a whole file, and only the spare is left beside it', { timeout: 60_000 }, async () => {
  const file = path.join(dir, 'atomic.json');
  const registry = new LeaseRegistry({ file });
  const lease = (i: number) => ({ port: B + (i % 6), service: `s${i}`, workspace: '/w', pid: process.pid, owner: `o${i}`, since: '' });
  await registry.transact((leases) => { leases.push(lease(0)); });
  // The reader reads as fast as it can until told to stop, through the seal check every reader
  // uses (a reader that opened the file just before two writes holds the recycled spare, so raw
  // text can be torn: the seal tells, and the read is retried). What it gets must be one whole
  // write: leases s0..s(n-1) for some n in 1..40.
  const reader = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { LeaseRegistry } = require(${JSON.stringify(path.resolve(__dirname, '../../../server/engine/leaseRegistry'))});
    const registry = new LeaseRegistry({ file: ${JSON.stringify(file)}, isAlive: () => true });
    let reads = 0, bad = 0, stop = false;
    process.stdin.on('data', () => { stop = true; });
    (function loop() {
      for (let i = 0; i < 200; i++) {
        const got = registry.read().map((l) => l.service).join();
        const n = got.split(',').length;
        if (got !== Array.from({ length: n }, (_, k) => 's' + k).join() || n > 40) bad++;
        reads++;
      }
      if (stop) { process.stdout.write(JSON.stringify({ reads, bad })); process.exit(0); }
      setImmediate(loop);
    })();
    process.stdout.write('ready\\n');`], { stdio: ['pipe', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../../..') });
  let out = '';
  reader.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve) => reader.stdout!.once('data', () => resolve()));
  for (let round = 0; round < 300; round++) {
    // Grow and shrink: a file caught half written would show a cut-off list or fail its seal.
    await registry.transact((leases) => { leases.splice(0, leases.length, ...Array.from({ length: 1 + (round % 40) }, (_, i) => lease(i))); });
  }
  reader.stdin!.write('stop');
  await new Promise((resolve) => reader.once('exit', resolve));
  const { reads, bad } = JSON.parse(out.slice(out.indexOf('\n') + 1));
  assert.equal(bad, 0, `${bad} of ${reads} reads got a partial file`);
  assert.ok(reads > 0);
  assert.equal(registry.read().length, 1 + (299 % 40));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(`${file}.spare`).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('atomic.json.')), ['atomic.json.spare'], 'no temp, token or lock file left; the spare stays');
});
