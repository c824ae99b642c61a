// The route cache over the engine's real registry file: rebuilt when the file changes, never
// throwing on a registry it cannot read (and saying so once, not once per request).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, test } from 'node:test';
import { RouteSource, WATCHED_RECHECK_MS } from '../../../server/proxy/routeSource';
import { leaseWorld } from './proxyKit';

const world = leaseWorld();
after(() => world.cleanup());

test('the table follows the registry file: a new lease routes, a released one stops, dead hosts\' leases never route', async () => {
  const ws = world.workspace('cache', { web: { kind: 'vite' } });
  const routes = new RouteSource({ leasesFile: world.leasesFile });
  assert.equal(routes.table().routes.length, 0, 'no file yet');
  await world.lease(ws, 'web', 4100);
  assert.equal(routes.route('cache.localhost')?.port, 4100);
  await world.lease(ws, 'web', 4101);
  assert.equal(routes.route('web.cache.localhost')?.port, 4101);
  await world.registry.transact((leases) => { leases.push({ ...leases[0], service: 'ghost', pid: 2 ** 22 + 7, startTime: 1, owner: 'dead' }); });
  assert.equal(routes.route('ghost.cache.localhost'), undefined);
  await world.release(ws, 'web');
  assert.equal(routes.route('web.cache.localhost'), undefined);
});

test('an unreadable registry routes nothing and is reported once; routes come back when it can be read', async () => {
  const other = leaseWorld();
  try {
    fs.mkdirSync(other.leasesFile); // a folder where the file should be: every read fails
    const errors: string[] = [];
    const routes = new RouteSource({ leasesFile: other.leasesFile, onError: (m, e) => errors.push(`${m}: ${(e as Error).message}`) });
    for (let i = 0; i < 3; i++) assert.equal(routes.table().routes.length, 0);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /EISDIR/);
    fs.rmdirSync(other.leasesFile);
    const ws = other.workspace('back', { api: {} });
    await other.lease(ws, 'api', 4200);
    assert.equal(routes.route('api.back.localhost')?.port, 4200);
  } finally {
    other.cleanup();
  }
});

test('while the registry is watched, an unchanged file is stat\'ed once per recheck window, not before every request', () => {
  let stats = 0;
  let clock = 1_000_000;
  const leases = { file: world.leasesFile, read: () => [], signature: () => { stats++; return 'same'; } };
  const routes = new RouteSource({ leases, now: () => clock });
  routes.watched = true;
  for (let window = 0; window < 4; window++) {
    for (let i = 0; i < 50; i++) routes.route('web.cache.localhost');
    clock += WATCHED_RECHECK_MS;
  }
  assert.equal(stats, 4, 'one look at the file per window');
  routes.invalidate();
  routes.route('web.cache.localhost');
  assert.equal(stats, 5, 'a change the watcher reports is looked at at once');
  routes.watched = false;
  routes.route('web.cache.localhost');
  routes.route('web.cache.localhost');
  assert.equal(stats, 7, 'unwatched: every question looks');
});
