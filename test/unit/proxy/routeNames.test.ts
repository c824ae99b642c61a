// Route names from leases: DNS-safe labels, the main web service, worktree prefixes, and folder
// names shared by two workspaces told apart the same way on every host.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRouteTable, dnsLabel, mainWebService, shortHash, type RouteLease, type WorkspaceFacts } from '../../../server/proxy/routeNames';

const lease = (workspace: string, service: string, port: number, since = '2025-01-01T00:00:00.000Z'): RouteLease => ({ workspace, service, port, since });
const facts = (map: Record<string, WorkspaceFacts>) => (ws: string) => map[ws] ?? { name: ws.split('/').pop()! };

test('dnsLabel lowercases, folds accents, turns every other run into one hyphen, trims and bounds the length', () => {
  assert.equal(dnsLabel('My App', 'x'), 'my-app');
  assert.equal(dnsLabel('Café_Übung.v2', 'x'), 'cafe-ubung-v2');
  assert.equal(dnsLabel('--feat/login--', 'x'), 'feat-login');
  assert.equal(dnsLabel('日本語', 'workspace'), 'workspace');
  assert.equal(dnsLabel('', 'service'), 'service');
  const long = dnsLabel('a'.repeat(100), 'x');
  assert.ok(long.length <= 56 && /^a+$/.test(long), long);
  assert.equal(dnsLabel(`${'a'.repeat(55)}-b`, 'x'), 'a'.repeat(55), 'no trailing hyphen after the cut');
});

test('the main web service is the first Vite one, else the first HTTP one with a client name, else the first HTTP one', () => {
  assert.equal(mainWebService([{ name: 'api', kind: 'http' }, { name: 'client', kind: 'vite' }]), 'client');
  assert.equal(mainWebService([{ name: 'api', kind: 'http' }, { name: 'web', kind: 'http' }]), 'web');
  assert.equal(mainWebService([{ name: 'api', kind: 'http' }, { name: 'admin', kind: 'http' }]), 'api');
  assert.equal(mainWebService([{ name: 'db', kind: 'postgres' }, { name: 'ws', kind: 'websocket' }]), undefined);
});

test('every web service gets <service>.<workspace>.localhost; the main one also <workspace>.localhost; databases get no name', () => {
  const ws = '/home/u/Shop';
  const table = buildRouteTable([lease(ws, 'server', 3001), lease(ws, 'client', 5173), lease(ws, 'database', 5432), lease(ws, 'websocket', 3001)],
    facts({ [ws]: { name: 'Shop', services: [{ name: 'server', kind: 'http' }, { name: 'client', kind: 'vite' }, { name: 'websocket', kind: 'websocket' }, { name: 'database', kind: 'postgres' }] } }));
  assert.deepEqual(table.routes.map((r) => [r.service, r.host, r.port, r.mainHost]), [
    ['server', 'server.shop.localhost', 3001, undefined],
    ['client', 'client.shop.localhost', 5173, 'shop.localhost'],
    ['websocket', 'websocket.shop.localhost', 3001, undefined],
  ]);
  assert.equal(table.byHost.get('shop.localhost')?.service, 'client');
  assert.equal(table.byHost.get(`client.shop-${shortHash(ws)}.localhost`)?.service, 'client', 'the hashed alias routes too');
  assert.equal(table.byHost.has('database.shop.localhost'), false);
});

test('instances of a multi-instance service get no name of their own: its front port has the name', () => {
  const ws = '/home/u/Shop';
  const table = buildRouteTable([lease(ws, 'web', 3000), lease(ws, 'web#1', 3001), lease(ws, 'web#2', 3002)],
    facts({ [ws]: { name: 'Shop', services: [{ name: 'web', kind: 'http' }] } }));
  assert.deepEqual(table.routes.map((r) => [r.service, r.host, r.port]), [['web', 'web.shop.localhost', 3000]]);
});

test('a linked worktree gets its branch before the workspace name; the main checkout keeps the bare name', () => {
  const main = '/src/repo';
  const wt = '/src/repo-feature';
  const services = [{ name: 'web', kind: 'vite' as const }];
  const table = buildRouteTable([lease(main, 'web', 5173), lease(wt, 'web', 5174)],
    facts({ [main]: { name: 'repo', services }, [wt]: { name: 'repo', branch: 'feat/Login', services } }));
  assert.equal(table.byHost.get('web.repo.localhost')?.port, 5173);
  assert.equal(table.byHost.get('web.feat-login.repo.localhost')?.port, 5174);
  assert.equal(table.byHost.get('feat-login.repo.localhost')?.port, 5174);
});

test('two workspaces with one folder name: the one running first keeps it, the other gets a hashed name, the same on every host', () => {
  const a = '/a/app';
  const b = '/b/app';
  const leases = [lease(b, 'web', 2, '2025-01-01T00:00:01.000Z'), lease(a, 'web', 1, '2025-01-01T00:00:02.000Z')];
  const table = buildRouteTable(leases, facts({}));
  assert.equal(table.byHost.get('web.app.localhost')?.workspace, b);
  assert.equal(table.byHost.get(`web.app-${shortHash(a)}.localhost`)?.workspace, a);
  assert.equal(table.routes.find((r) => r.workspace === a)?.host, `web.app-${shortHash(a)}.localhost`);
  assert.deepEqual(buildRouteTable([...leases].reverse(), facts({})).routes, table.routes, 'lease order does not matter');
  // When b stops, a takes the bare name, and its hashed one keeps working for tabs already open.
  const alone = buildRouteTable([leases[1]], facts({}));
  assert.equal(alone.byHost.get('web.app.localhost')?.workspace, a);
  assert.equal(alone.byHost.get(`web.app-${shortHash(a)}.localhost`)?.workspace, a);
});

test('a name one workspace holds is never given to another: a service named like a branch does not capture the worktree', () => {
  const main = '/r/repo';
  const wt = '/r/wt';
  const table = buildRouteTable([lease(main, 'feature', 1), lease(wt, 'web', 2, '2025-01-02T00:00:00.000Z')],
    facts({ [main]: { name: 'repo', services: [{ name: 'feature', kind: 'http' }] }, [wt]: { name: 'repo', branch: 'feature', services: [{ name: 'web', kind: 'vite' }] } }));
  assert.equal(table.byHost.get('feature.repo.localhost')?.workspace, main);
  const route = table.routes.find((r) => r.workspace === wt)!;
  assert.equal(route.host, `web.repo-${shortHash(wt)}.localhost`);
  assert.equal(route.mainHost, `repo-${shortHash(wt)}.localhost`);
});

test('services whose names make one label are told apart; leases a config does not list route as HTTP after the listed ones', () => {
  const ws = '/w/x';
  const table = buildRouteTable([lease(ws, 'api_v1', 1), lease(ws, 'api-v1', 2), lease(ws, 'extra', 3)],
    facts({ [ws]: { name: 'x', services: [{ name: 'api_v1', kind: 'http' }, { name: 'api-v1', kind: 'http' }] } }));
  assert.deepEqual(table.routes.map((r) => r.host), ['api-v1.x.localhost', `api-v1-${shortHash('api-v1')}.x.localhost`, 'extra.x.localhost']);
});
