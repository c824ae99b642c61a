// Sticky ports per workspace path: the registry remembers each workspace's ports (plan/memory.ts),
// planning prefers them over the plain preferred list while they are free, two workspaces open at
// once never share a port, and a changed preferred list or a port now held makes the memory yield.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { leasesFile } from '../../../server/discovery/stateFolder';
import { LeaseRegistry } from '../../../server/engine/leaseRegistry';
import { MAX_REMEMBERED, remember, rememberedBy, rememberedPort, validMemory, type Remembered } from '../../../server/engine/plan/memory';
import { buildModel } from '../../../server/engine/plan/stackModel';
import type { Assignment } from '../../../server/engine/engineApi';
import { close, engineFor, freeRange, listen, ports, tempStateDir } from './engineTestKit';

let B = 0;
beforeEach(async () => {
  tempStateDir();
  B = await freeRange(8);
});

const stack = () => ({ services: { web: { preferred: [B, B + 1] }, live: { inheritFrom: 'web' }, db: { preferred: [B + 4] } } });
const assigned = (entries: Record<string, number>): Map<string, Assignment> =>
  new Map(Object.entries(entries).map(([service, port]) => [service, { service, port, reason: 'preferred', explanation: '' }]));

test('memory (pure): one entry per root service of a workspace, valid only for the same port settings', () => {
  const model = buildModel(stack());
  const memory: Remembered[] = [];
  remember(memory, '/a', model, assigned({ web: B + 1, live: B + 1, db: B + 4 }), '2026-01-01T00:00:00.000Z');
  assert.deepEqual(memory.map((m) => `${m.workspace}:${m.service}:${m.port}`), [`/a:web:${B + 1}`, `/a:db:${B + 4}`], 'inheritors follow their root: no entry');
  assert.equal(rememberedPort(memory, '/a', model, 'web'), B + 1);
  assert.equal(rememberedPort(memory, '/b', model, 'web'), undefined, 'another path remembers nothing');
  assert.equal(rememberedPort(memory, '/a', model, 'live'), undefined);
  assert.equal(rememberedBy(memory, B + 1, '/b')?.workspace, '/a');
  assert.equal(rememberedBy(memory, B + 1, '/a'), undefined);

  const unchanged = JSON.stringify(memory);
  remember(memory, '/a', model, assigned({ web: B + 1, db: B + 4 }), '2026-01-02T00:00:00.000Z');
  assert.equal(JSON.stringify(memory), unchanged, 'a plan that moved nothing rewrites nothing');

  const changed = buildModel({ services: { web: { preferred: [B + 2] }, db: { preferred: [B + 4] } } });
  assert.equal(rememberedPort(memory, '/a', changed, 'web'), undefined, 'a new preferred list: the user wants other ports');
  assert.equal(rememberedPort(memory, '/a', changed, 'db'), B + 4, 'a service whose settings stayed keeps its memory');
  const strict = buildModel({ services: { web: { preferred: [B, B + 1] }, db: { preferred: [B + 4], strict: true } } });
  assert.equal(rememberedPort(memory, '/a', strict, 'db'), undefined, 'now strict: placed by its list again');
  const conflicting = buildModel({ services: { web: { preferred: [B, B + 1], conflicts: ['db'] }, db: { preferred: [B + 4] } } });
  assert.equal(rememberedPort(memory, '/a', conflicting, 'web'), undefined, 'a new conflict changes the ports it may fall back on');
});

test('memory (pure): bounded, oldest first; a hand-edited file keeps only well-formed entries', () => {
  const model = buildModel({ services: { s: { preferred: [B] } } });
  const memory: Remembered[] = [];
  for (let i = 0; i <= MAX_REMEMBERED; i++) remember(memory, `/w${i}`, model, assigned({ s: B }), new Date(1_000_000 + i).toISOString());
  assert.equal(memory.length, MAX_REMEMBERED);
  assert.equal(memory.some((m) => m.workspace === '/w0'), false, 'the oldest entry went');
  assert.deepEqual(validMemory([
    { workspace: '/a', service: 's', port: 70000, shape: '', since: '' },
    { workspace: '/a', service: 's', port: B, shape: 7, since: '' },
    { workspace: '/a', service: 's', port: B, shape: `${B}||`, since: 'old' },
    { workspace: '/a', service: 's', port: B + 1, shape: `${B}||`, since: 'new', extra: true },
    null, 'junk',
  ]), [{ workspace: '/a', service: 's', port: B + 1, shape: `${B}||`, since: 'new' }]);
  assert.deepEqual(validMemory({ not: 'a list' }), []);
});

test('a workspace reopened alone gets the ports it had, not the first free preferred one', async () => {
  const a = engineFor(stack(), { workspace: '/repo/app' });
  await a.engine.allocateAll();
  const b = engineFor(stack(), { workspace: '/repo/app-feature' });
  await b.engine.allocateAll();
  assert.deepEqual(ports(a.engine), { web: B, live: B, db: B + 4 });
  assert.deepEqual(ports(b.engine), { web: B + 1, live: B + 1, db: B + 5 }, 'never shares a port with the open workspace');
  await a.engine.dispose();
  await b.engine.dispose();

  // The other order tomorrow: each keeps its own ports.
  const b2 = engineFor(stack(), { workspace: '/repo/app-feature' });
  await b2.engine.allocateAll();
  assert.deepEqual(ports(b2.engine), { web: B + 1, live: B + 1, db: B + 5 });
  assert.equal(b2.engine.get('web')!.explanation, `web keeps ${B + 1}, its port in this workspace last time`);
  assert.equal(b2.engine.get('web')!.reason, 'fallback');
  const a2 = engineFor(stack(), { workspace: '/repo/app' });
  await a2.engine.allocateAll();
  assert.deepEqual(ports(a2.engine), { web: B, live: B, db: B + 4 });
  assert.equal(a2.engine.get('web')!.explanation, `${B} is web's first preferred port`);
  await a2.engine.dispose();
  await b2.engine.dispose();
  const remembered = new LeaseRegistry({ file: leasesFile() }).remembered();
  assert.deepEqual(remembered.map((m) => `${m.workspace}:${m.service}:${m.port}`).sort(),
    [`/repo/app-feature:db:${B + 5}`, `/repo/app-feature:web:${B + 1}`, `/repo/app:db:${B + 4}`, `/repo/app:web:${B}`]);
});

test('the memory yields: a remembered port now held goes back to the preferred list', async () => {
  const first = engineFor(stack(), { workspace: '/repo/app-feature' });
  const blocker = await listen(B, '127.0.0.1');
  await first.engine.allocateAll();
  await close(blocker);
  assert.equal(first.engine.get('web')!.port, B + 1);
  await first.engine.dispose();

  const held = await listen(B + 1, '127.0.0.1');
  const again = engineFor(stack(), { workspace: '/repo/app-feature' });
  await again.engine.allocateAll();
  assert.equal(again.engine.get('web')!.port, B, 'its remembered port is taken: the first free preferred one');
  await again.engine.dispose();
  await close(held);

  // Remembered now is B: held by another open workspace, so the plain list again.
  const other = engineFor(stack(), { workspace: '/repo/app' });
  await other.engine.allocateAll();
  const third = engineFor(stack(), { workspace: '/repo/app-feature' });
  await third.engine.allocateAll();
  assert.notEqual(third.engine.get('web')!.port, other.engine.get('web')!.port);
  await other.engine.dispose();
  await third.engine.dispose();
});

test('a remembered port behind a held preferred one: the explanation names who holds it, as the injected namer says', async () => {
  const a = engineFor(stack(), { workspace: '/repo/app' });
  await a.engine.allocateAll();
  const b = engineFor(stack(), { workspace: '/repo/app-feature', nameWorkspace: (w) => (w === '/repo/app' ? 'worktree ../app (branch main)' : undefined) });
  await b.engine.allocateAll();
  const web = b.engine.get('web')!;
  assert.equal(web.port, B + 1);
  assert.match(web.explanation, new RegExp(`^${B} is held by worktree \\.\\./app \\(branch main\\) for web \\(Manito host pid ${process.pid}\\), assigned ${B + 1}$`));
  assert.equal(web.holder?.worktree, 'worktree ../app (branch main)');
  await b.engine.dispose();

  // Reopened while the other worktree still holds B: sticky, and still says who holds B.
  const b2 = engineFor(stack(), { workspace: '/repo/app-feature', nameWorkspace: (w) => (w === '/repo/app' ? 'worktree ../app (branch main)' : undefined) });
  await b2.engine.allocateAll();
  assert.equal(b2.engine.get('web')!.explanation, `${B} is held by worktree ../app (branch main) for web (Manito host pid ${process.pid}); web keeps ${B + 1}, its port in this workspace last time`);
  await b2.engine.dispose();
  await a.engine.dispose();
});

test('random opening and closing of workspaces: open ones never share a port; each reopened alone gets its ports back', async () => {
  const names = ['/r/a', '/r/b', '/r/c'];
  const open = new Map<string, ReturnType<typeof engineFor>>();
  const last = new Map<string, Record<string, number>>();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let step = 0; step < 24; step++) {
    const name = names[Math.floor(next() * names.length)];
    const current = open.get(name);
    if (current) {
      await current.engine.dispose();
      open.delete(name);
      continue;
    }
    const e = engineFor(stack(), { workspace: name });
    await e.engine.allocateAll();
    const mine = ports(e.engine);
    // Its ports from last time, where no open workspace holds them now.
    const heldByOthers = new Set([...open.values()].flatMap((o) => Object.values(ports(o.engine))));
    for (const [service, port] of Object.entries(last.get(name) ?? {})) {
      if (!heldByOthers.has(port)) assert.equal(mine[service], port, `step ${step}: ${name} ${service} back on ${port}`);
    }
    open.set(name, e);
    last.set(name, mine);
    const roots = [...open.values()].flatMap((o) => [o.engine.get('web')!.port, o.engine.get('db')!.port]);
    assert.equal(new Set(roots).size, roots.length, `step ${step}: open workspaces share a port: ${roots}`);
  }
  for (const e of open.values()) await e.engine.dispose();
});
