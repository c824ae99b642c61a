// The user's proxy across real host processes: two worktrees of one repository (a real
// `git worktree add`) reach their own servers by their branch-prefixed names, a service the engine
// moves keeps its name, and the proxy moves to the other host when the serving one exits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { freePorts, until, type HostProcess } from './support/hostProcess';
import { proxyUser, serviceAction, serviceView, startProxyHost, untilServed, viaProxy, type ProxyUser } from './support/proxyUser';

let user: ProxyUser;
let main: HostProcess;
let feature: HostProcess;
let mainDir: string;
let featureDir: string;
let firstPort: number;
const held: net.Server[] = [];

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

before(async () => {
  user = await proxyUser();
  const [p1, p2, p3] = await freePorts(3);
  firstPort = p1;
  mainDir = path.join(user.base, 'shop');
  featureDir = path.join(user.base, 'shop-login');
  const web = (preferred: number[]) => ({ services: { web: { kind: 'http' as const, preferred, command: `${JSON.stringify(process.execPath)} where.cjs` } } });
  const shop = user.workspace('shop', web([p1, p2]));
  git(mainDir, 'init', '-q', '-b', 'main');
  git(mainDir, 'add', '-A');
  git(mainDir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'shop');
  git(mainDir, 'worktree', 'add', '-q', '-b', 'login', featureDir);
  main = await startProxyHost(shop);
  feature = await startProxyHost(user.workspace('shop-login', web([p3])));
  await serviceAction(main, 'web', 'start');
  await serviceAction(feature, 'web', 'start');
});

after(async () => {
  await main?.stop();
  await feature?.stop();
  for (const s of held) await new Promise((resolve) => s.close(resolve));
  user?.cleanup();
});

test('two worktrees of one repository reach their own servers: <service>.<workspace> and <service>.<branch>.<workspace>', { timeout: 90_000 }, async () => {
  const port = user.proxyPort;
  assert.match(main.output(), /Proxy: serving http:\/\/<name>\.localhost:\d+ on 127\.0\.0\.1 and ::1/);
  assert.match(feature.output(), /Proxy: another Manito host serves the proxy/);
  const mainWeb = await untilServed(port, 'web.shop.localhost');
  const featureWeb = await untilServed(port, 'web.login.shop.localhost');
  assert.equal(mainWeb.cwd, mainDir);
  assert.equal(featureWeb.cwd, featureDir);
  assert.notEqual(mainWeb.port, featureWeb.port);
  assert.equal(mainWeb.host, `web.shop.localhost:${port}`, 'the service sees its name as Host');
  // Every process Manito starts reads each service's named URL from MANITO_<SERVICE>_URL.
  assert.equal(mainWeb.urls.MANITO_WEB_URL, `http://web.shop.localhost:${port}`);
  assert.equal(featureWeb.urls.MANITO_WEB_URL, `http://web.login.shop.localhost:${port}`);
  assert.equal((await serviceView(feature, 'web')).namedUrl, `http://web.login.shop.localhost:${port}`);
  // Each workspace's main web service answers to the workspace's own name.
  assert.equal((await untilServed(port, 'shop.localhost')).cwd, mainDir);
  assert.equal((await untilServed(port, 'login.shop.localhost')).cwd, featureDir);
});

test('a service the engine moves keeps its name: the same URL reaches it on its new port', { timeout: 90_000 }, async () => {
  const port = user.proxyPort;
  const before = await untilServed(port, 'web.shop.localhost');
  assert.equal(before.port, firstPort);
  const named = `http://web.shop.localhost:${port}`;
  assert.equal((await serviceView(main, 'web')).namedUrl, named);
  await serviceAction(main, 'web', 'stop');
  // Another program takes the port while the service is stopped: self-healing moves the service.
  held.push(await new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer((c) => c.destroy()).listen(firstPort, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  }));
  const moved = await until(async () => {
    const view = await serviceView(main, 'web');
    return view.port !== null && view.port !== firstPort ? view.port : undefined;
  }, 30_000, 'web moved off its first port');
  await serviceAction(main, 'web', 'start');
  const after = await until(async () => {
    const r = await untilServed(port, 'web.shop.localhost');
    return r.port === moved ? r : undefined;
  }, 30_000, 'web answering on its new port through its name');
  assert.equal(after.cwd, mainDir);
  const view = await serviceView(main, 'web');
  assert.equal(view.port, moved);
  assert.equal(view.namedUrl, named, 'every surface keeps showing the same named URL after the move');
  assert.equal(view.url, `http://localhost:${moved}`);
});

test('when the serving host exits, the other host serves the proxy and its names answer', { timeout: 90_000 }, async () => {
  const port = user.proxyPort;
  assert.equal(await main.stop('SIGTERM'), 143);
  await feature.waitForOutput(/Proxy: serving/, 30_000);
  assert.equal((await untilServed(port, 'web.login.shop.localhost')).cwd, featureDir);
  // The exited host's names are gone with its leases; the 404 page lists what is left.
  const gone = await until(async () => {
    const r = await viaProxy(port, 'web.shop.localhost');
    return r.status === 404 ? r : undefined;
  }, 15_000, 'web.shop.localhost gone');
  assert.match(gone.body, /web\.login\.shop\.localhost/);
});
