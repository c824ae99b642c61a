// A real Vite dev server, started by a real host, in real Chromium through its named URL: the page
// loads from `<workspace>.localhost:<proxy port>`, Vite's HMR WebSocket goes through the proxy, and
// a CSS edit updates the page without a reload. The 404 page for an unknown name lists the routes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../editor/harness/browser';
import { screenshotsDir } from '../editor/harness/paths';
import { ROOT, until, type HostProcess } from './support/hostProcess';
import { proxyUser, serviceAction, startProxyHost, untilServed, viaProxy, type ProxyUser } from './support/proxyUser';

let user: ProxyUser;
let host: HostProcess;
let browser: Browser;
let dir: string;

const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

before(async () => {
  user = await proxyUser();
  const ws = user.workspace('storefront', {
    services: {
      api: { kind: 'http', command: `${JSON.stringify(process.execPath)} where.cjs` },
      web: { kind: 'vite', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(VITE)} --port \${port} --strictPort --host 127.0.0.1 --clearScreen false` },
    },
  });
  dir = ws.dir;
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><head><title>Storefront</title></head><body><h1 id="title">Storefront</h1><p id="where"></p><script type="module" src="/main.js"></script></body></html>');
  fs.writeFileSync(path.join(dir, 'main.js'), "import './style.css';\ndocument.getElementById('where').textContent = 'served through ' + location.host;\n");
  fs.writeFileSync(path.join(dir, 'style.css'), 'body { font: 20px sans-serif; margin: 3rem; }\nh1 { color: rgb(200, 0, 0); }\n');
  host = await startProxyHost(ws);
  await serviceAction(host, 'api', 'start');
  await serviceAction(host, 'web', 'start');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
  user?.cleanup();
});

test('real Chromium loads the Vite app through its named URL, and HMR over the proxied WebSocket updates it without a reload', { timeout: 120_000 }, async () => {
  const port = user.proxyPort;
  await until(async () => (await viaProxy(port, 'storefront.localhost').catch(() => undefined))?.status === 200, 60_000, 'Vite through storefront.localhost');
  assert.equal((await untilServed(port, 'api.storefront.localhost')).cwd, dir);

  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  const sockets: string[] = [];
  const frames: string[] = [];
  page.on('websocket', (socket) => {
    sockets.push(socket.url());
    socket.on('framereceived', (f) => frames.push(String(f.payload)));
  });
  const url = `http://storefront.localhost:${port}/`;
  const response = await page.goto(url);
  assert.equal(response?.status(), 200);
  await page.waitForFunction(() => document.getElementById('where')?.textContent?.startsWith('served through'));
  assert.equal(await page.textContent('#where'), `served through storefront.localhost:${port}`);
  assert.equal(await page.$eval('h1', (h) => getComputedStyle(h).color), 'rgb(200, 0, 0)');
  // Vite's client opens its HMR socket to the page's own host: the proxy's name.
  await until(() => frames.some((f) => f.includes('"connected"')), 30_000, 'the HMR socket to say connected');
  assert.ok(sockets.some((s) => s.startsWith(`ws://storefront.localhost:${port}/`)), `HMR socket: ${sockets.join(', ')}`);

  await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
  fs.writeFileSync(path.join(dir, 'style.css'), 'body { font: 20px sans-serif; margin: 3rem; }\nh1 { color: rgb(0, 128, 0); }\n');
  await page.waitForFunction(() => getComputedStyle(document.querySelector('h1')!).color === 'rgb(0, 128, 0)', undefined, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'updated in place, not reloaded');
  assert.ok(frames.some((f) => f.includes('"update"')), 'the update came over the proxied socket');
  fs.mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, 'proxy-vite.png') });
  await page.close();
});

test('an unknown name in Chromium gets the 404 page listing the user\'s named services', { timeout: 60_000 }, async () => {
  const port = user.proxyPort;
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  const response = await page.goto(`http://nope.storefront.localhost:${port}/`);
  assert.equal(response?.status(), 404);
  const links = await page.$$eval('a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
  assert.ok(links.includes(`http://storefront.localhost:${port}/`), links.join(' '));
  assert.ok(links.includes(`http://web.storefront.localhost:${port}/`), links.join(' '));
  assert.ok(links.includes(`http://api.storefront.localhost:${port}/`), links.join(' '));
  await page.screenshot({ path: path.join(screenshotsDir, 'proxy-404.png') });
  // A link on the page leads to the service.
  await page.click(`a[href="http://api.storefront.localhost:${port}/"]`);
  await page.waitForURL(`http://api.storefront.localhost:${port}/`);
  assert.equal(JSON.parse((await page.textContent('body'))!).cwd, dir);
  await page.close();
});

test('the dashboard shows each web service\'s named URL first, the port\'s URL under it, and the link opens the app by its name', { timeout: 60_000 }, async () => {
  const port = user.proxyPort;
  const page = await browser.newPage({ viewport: { width: 1300, height: 700 } });
  await page.goto(`${host.url}/dashboard?token=${host.token}`);
  const web = page.locator('tr.service-row[data-service="web"] td.cell-url');
  await web.locator('a.named-url').waitFor({ timeout: 30_000 });
  assert.equal(await web.locator('a').first().textContent(), `http://web.storefront.localhost:${port}`);
  const webPort = await page.getAttribute('tr.service-row[data-service="web"]', 'data-port');
  assert.equal(await web.locator('.port-url').textContent(), `http://localhost:${webPort}`);
  assert.equal(await page.locator('tr.service-row[data-service="api"] td.cell-url a').first().textContent(), `http://api.storefront.localhost:${port}`);
  await page.screenshot({ path: path.join(screenshotsDir, 'proxy-dashboard-named-urls.png') });
  // In a browser tab the link opens as it is: the app by its name, through the proxy.
  const [tab] = await Promise.all([page.context().waitForEvent('page'), web.locator('a').first().click()]);
  await tab.waitForLoadState();
  assert.equal(new URL(tab.url()).host, `web.storefront.localhost:${port}`);
  await tab.waitForFunction(() => document.getElementById('where')?.textContent?.startsWith('served through'));
  await tab.close();
  await page.close();
});
