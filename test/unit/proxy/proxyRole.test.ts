// The kernel's election on real sockets: one role serves, another stands by and takes over when the
// first stops (on its timer, or at once on a change of the lease registry); a foreign program on
// the port blocks the proxy without a half-held address; the named URLs follow the role.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { ProxyRole, type ProxyState } from '../../../server/proxy/proxyRole';
import { RouteSource } from '../../../server/proxy/routeSource';
import { freePort, leaseWorld, request, startUpstream, type LeaseWorld, type Upstream } from './proxyKit';

let world: LeaseWorld;
let app: string;
let web: Upstream;
const roles: ProxyRole[] = [];

function role(port: number, retryMs = 50): ProxyRole {
  const r = new ProxyRole({ port, routes: new RouteSource({ leasesFile: world.leasesFile }), retryMs });
  roles.push(r);
  return r;
}

function next(r: ProxyRole, roleName: ProxyState['role']): Promise<ProxyState> {
  if (r.state.role === roleName) return Promise.resolve(r.state);
  return new Promise((resolve) => {
    const off = r.onChange((s) => {
      if (s.role !== roleName) return;
      off();
      resolve(s);
    });
  });
}

function hold(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer((c) => c.destroy()).listen(port, host, () => resolve(s));
    s.on('error', reject);
  });
}

before(async () => {
  world = leaseWorld();
  web = await startUpstream('web');
  app = world.workspace('app', { web: { kind: 'vite' } });
  await world.lease(app, 'web', web.port);
});

after(async () => {
  for (const r of roles) await r.stop();
  await web?.close();
  world?.cleanup();
});

test('one role serves, the next stands by knowing a Manito proxy serves, and takes over when the first stops', async () => {
  const port = await freePort();
  const a = role(port);
  const b = role(port);
  assert.equal((await a.start()).role, 'serving');
  const standby = await b.start();
  assert.equal(standby.role, 'standby');
  assert.match(standby.detail, /another Manito host serves the proxy/);
  assert.equal(b.namedUrls(app)?.main?.url, `http://app.localhost:${port}`, 'a standby host still gives the named URLs');
  await a.stop();
  assert.equal(a.state.role, 'stopped');
  await next(b, 'serving');
  assert.equal(JSON.parse((await request(port, 'web.app.localhost')).body).name, 'web');
});

test('a standby host is woken by a change of the lease registry, not only by its timer', async () => {
  const port = await freePort();
  const a = role(port);
  const b = role(port, 3_600_000);
  await a.start();
  assert.equal((await b.start()).role, 'standby');
  await a.stop();
  // A stopping host releases its leases as it goes; here one lease is added and released by hand.
  await world.lease(app, 'other', 1);
  await next(b, 'serving');
  await world.release(app, 'other');
});

test('a foreign program on the port blocks the proxy, named URLs are off, and the proxy serves once it is gone', async () => {
  const port = await freePort();
  const foreign = await hold(port, '127.0.0.1');
  const r = role(port);
  const state = await r.start();
  assert.equal(state.role, 'blocked');
  assert.match(state.detail, /held by another program/);
  assert.equal(r.namedUrls(app), undefined);
  await new Promise((resolve) => foreign.close(resolve));
  await next(r, 'serving');
  assert.equal(r.namedUrls(app)?.services.web, `http://web.app.localhost:${port}`);
});

test('::1 held by a foreign program: the proxy does not serve half the loopback, and lets 127.0.0.1 go again', async () => {
  const port = await freePort();
  const foreign = await hold(port, '::1');
  const r = role(port, 3_600_000);
  assert.equal((await r.start()).role, 'blocked');
  const mine = await hold(port, '127.0.0.1');
  await new Promise((resolve) => mine.close(resolve));
  await new Promise((resolve) => foreign.close(resolve));
});

test('a bad port is a RangeError that names it', () => {
  assert.throws(() => new ProxyRole({ port: 70000, routes: new RouteSource({ leasesFile: world.leasesFile }) }), /port must be 1-65535, got 70000/);
});
