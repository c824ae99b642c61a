// The host-served dashboard in a real Chromium: the built host (dist/host.js --headless) on a temp
// workspace, the page at /dashboard fed by the WebSocket feed, checked against
// /api/health?detailed=true; live health changes from a real listener; actions only with the token.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StackConfig } from '../../protocol/config';
import type { HealthResponse } from '../../protocol/http';
import { freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const LIVE_TIMEOUT_MS = 20_000;

let ws: Workspace;
let host: HostProcess;
let browser: Browser;
let ports: number[];
const listeners: net.Server[] = [];

before(async () => {
  ports = await freePorts(3);
  const [hostPort, webPort, cachePort] = ports as [number, number, number];
  const config: StackConfig = {
    host: { ports: [hostPort] },
    services: {
      web: {
        preferred: [webPort], kind: 'http', description: 'A real HTTP server started by the host',
        command: `node -e "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1')"`,
        health: { type: 'http', path: '/', intervalMs: 300, timeoutMs: 500 },
      },
      cache: { preferred: [cachePort], kind: 'tcp', description: 'Nothing listens here until the test says so', health: { type: 'tcp', intervalMs: 300, timeoutMs: 500 } },
    },
  };
  ws = makeWorkspace(config);
  host = await startHeadless(ws);
  // Named URLs come with the proxy role, decided just after the API listens.
  await host.waitForOutput(/Proxy: (serving|another Manito host serves)/);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const l of listeners) l.close();
  await host?.stop();
  ws?.cleanup();
});

async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.join(__dirname, '..', '..', 'test-results', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

interface PageProblems { errors: string[] }

async function openDashboard(query = ''): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.errors.push(`console: ${m.text()}`); });
  await page.goto(`${host.url}/dashboard${query}`);
  await page.locator('tr.service-row').first().waitFor({ timeout: LIVE_TIMEOUT_MS });
  return { page, problems };
}

async function rowAttr(page: Page, service: string, attr: string): Promise<string | null> {
  return page.locator(`tr.service-row[data-service="${service}"]`).getAttribute(attr);
}

test('the page is served with a strict CSP and shows every service as /api/health?detailed=true reports it', async () => {
  const res = await fetch(`${host.url}/dashboard`);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

  const { page, problems } = await openDashboard();
  const { body } = await getJson(`${host.url}/api/health?detailed=true`) as { body: HealthResponse };
  // `services.websocket` is the feed itself (as in the seed), shown in the header, not as a row.
  const expected = Object.entries(body.services!).filter(([name]) => name !== 'websocket');
  assert.equal(await page.locator('tr.service-row').count(), expected.length);
  for (const [name, entry] of expected) {
    assert.equal(await rowAttr(page, name, 'data-port'), String(entry.port), `${name} port`);
    const row = page.locator(`tr.service-row[data-service="${name}"]`);
    const text = await row.innerText();
    assert.match(text, new RegExp(`\\b${entry.port}\\b`));
    assert.match(text, new RegExp(entry.reason!.replace('_', ' ')));
  }
  // Nothing is running yet: the health shown is the host's, and the header badge says so.
  assert.equal(await rowAttr(page, 'cache', 'data-health'), body.services!.cache!.status);
  assert.equal(body.services!.web!.status, 'stopped');
  assert.equal(body.services!.cache!.status, 'stopped');
  assert.equal((await page.locator('.masthead .chip.overall').innerText()).trim(), 'All stopped');
  const hostLine = await page.locator('.host-line').innerText();
  assert.match(hostLine, /Host running/);
  assert.match(hostLine, new RegExp(`port ${host.port}`));
  assert.match(hostLine, /WebSocket: \d+ connections?/);
  // The named URL through the user's proxy leads; the port's own URL is under it.
  const web = (await getJson(`${host.url}/api/snapshot`)).body.data.services.find((x: { name: string }) => x.name === 'web');
  assert.match(web.namedUrl, /^http:\/\/web\.[a-z0-9-]+\.localhost:\d+$/);
  assert.equal(await page.locator('a[data-service="web"]').getAttribute('href'), web.namedUrl);
  assert.equal(await page.locator('tr.service-row[data-service="web"] .port-url').innerText(), `http://localhost:${ports[1]}`);
  // Read-only without the token: no start/stop/restart, and a note that says how to get them.
  assert.equal(await page.locator('button[data-action="start"], button[data-action="stop"], button[data-action="restart"]').count(), 0);
  assert.match(await page.locator('.notices').innerText(), /Read-only/);
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('a health change arrives live over the feed when a real listener takes the port', async () => {
  const { page, problems } = await openDashboard();
  assert.notEqual(await rowAttr(page, 'cache', 'data-health'), 'healthy');
  const cachePort = ports[2]!;
  const listener = net.createServer((socket) => socket.end());
  listeners.push(listener);
  await new Promise<void>((resolve) => listener.listen(cachePort, '127.0.0.1', resolve));

  await page.locator('tr.service-row[data-service="cache"][data-health="healthy"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
  await page.locator('li.event[data-event-type="health"]', { hasText: /cache: \w+ → healthy/ }).first().waitFor({ timeout: LIVE_TIMEOUT_MS });
  // Newest first: the transition is above the assignments made at start.
  const types = await page.locator('li.event').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.eventType));
  assert.ok(types.indexOf('health') < types.lastIndexOf('assigned'), `events in order: ${types.join(', ')}`);
  const { body } = await getJson(`${host.url}/api/health?detailed=true`) as { body: HealthResponse };
  assert.equal(body.services!.cache!.status, 'healthy');
  // One healthy and one stopped is not "All healthy": the badge counts each state.
  assert.equal(body.services!.web!.status, 'stopped');
  assert.equal((await page.locator('.masthead .chip.overall').innerText()).trim(), '1 healthy · 1 stopped');
  // The time in the state ticks.
  const since = page.locator('tr.service-row[data-service="cache"] [data-since]').first();
  const first = await since.innerText();
  await until(async () => (await since.innerText()) !== first, 5000, 'the time in state to tick');

  // Gone again: nothing of Manito's runs it, so the host calls it stopped (or unhealthy), not healthy.
  listener.close();
  await page.locator('tr.service-row[data-service="cache"]:not([data-health="healthy"])').waitFor({ timeout: LIVE_TIMEOUT_MS });
  await page.locator('li.event[data-event-type="health"]', { hasText: /cache: healthy → \w+/ }).first().waitFor({ timeout: LIVE_TIMEOUT_MS });
  const cacheNow = await rowAttr(page, 'cache', 'data-health');
  assert.equal((await page.locator('.masthead .chip.overall').innerText()).trim(), cacheNow === 'unhealthy' ? '1 unhealthy · 1 stopped' : 'All stopped');
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('with ?token= the page starts and restarts a service through the API, and the change arrives', async () => {
  const { page, problems } = await openDashboard(`?token=${encodeURIComponent(host.token)}`);
  // The token leaves the address bar once read.
  assert.doesNotMatch(page.url(), /token=/);
  assert.equal(await page.locator('.notices').innerText().then((t) => /Read-only/.test(t)), false);

  // The row re-renders with every probe (fast while a service starts), so a click can land on a row
  // being replaced: click again only while the host shows no start of web.
  const webRunner = async () => (await getJson(`${host.url}/api/snapshot`)).body.data.services.find((x: { name: string }) => x.name === 'web').runner;
  for (let attempt = 1; ; attempt++) {
    await page.locator('button[data-action="start"][data-target="web"]').click({ timeout: LIVE_TIMEOUT_MS });
    const started = await until(async () => (await webRunner()) === 'process' || undefined, 5_000, 'web to be started').then(() => true, () => false);
    if (started) break;
    assert.ok(attempt < 3, 'three clicks on Start did not start web');
  }
  await page.locator('tr.service-row[data-service="web"][data-health="healthy"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
  const snap1 = (await getJson(`${host.url}/api/snapshot`)).body.data;
  const pid1 = snap1.services.find((s: { name: string }) => s.name === 'web').pid;
  assert.ok(pid1, 'the host runs web');
  assert.equal(await page.locator('li.event[data-event-type="started"]', { hasText: 'web started' }).count() >= 1, true);

  // Keyboard: focus the restart button and press Enter, as someone without a mouse would.
  const restart = page.locator('button[data-action="restart"][data-target="web"]');
  assert.equal(await restart.getAttribute('aria-label'), 'Restart web');
  await restart.focus();
  await page.keyboard.press('Enter');
  await until(async () => {
    const s = (await getJson(`${host.url}/api/snapshot`)).body.data.services.find((x: { name: string }) => x.name === 'web');
    return s.pid && s.pid !== pid1 && s.health === 'healthy';
  }, LIVE_TIMEOUT_MS, 'web to come back with a new pid').catch((error: Error) => {
    throw new Error(`${error.message}\nhost log:\n${host.output().slice(-4000)}`);
  });
  await page.locator('li.event[data-event-type="started"]').nth(1).waitFor({ timeout: LIVE_TIMEOUT_MS });
  await page.locator('tr.service-row[data-service="web"][data-health="healthy"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
  // The restart's stop was asked for: web went from healthy to stopped, never to unhealthy or "starting" on a refusal.
  const healthEvents = await page.locator('li.event[data-event-type="health"]').allInnerTexts();
  assert.ok(!healthEvents.some((t) => /web: healthy → (unhealthy|starting)/.test(t)), healthEvents.join('\n'));
  await screenshot(page, 'dashboard-browser-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'dashboard-browser-light');

  // A refused action says why instead of failing silently: a wrong token.
  await page.evaluate(() => sessionStorage.setItem('manito.dashboard.token', 'wrong'));
  await page.reload();
  await page.locator('button[data-action="stop"][data-target="web"]').click();
  await page.locator('.notice-error', { hasText: /Refused by the host \(401\)/ }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  assert.deepEqual(problems.errors.filter((e) => !/401/.test(e)), []);
  await page.close();
});

test('when the host goes away the page says so and what to do', async () => {
  const { page } = await openDashboard();
  await host.stop();
  const notice = page.locator('.notice-error');
  await notice.waitFor({ timeout: LIVE_TIMEOUT_MS });
  const text = await notice.innerText();
  assert.match(text, /Lost the connection to the Manito host/);
  assert.match(text, /manito host/);
  assert.match(await page.locator('.host-line').innerText(), /Host not reachable/);
  // Actions are not offered against a host that is not there.
  assert.equal(await page.locator('button[data-action="restart"]:not([disabled])').count(), 0);
  await page.close();
});
