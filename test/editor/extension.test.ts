// The extension in the real workbench, driven as a user would: the fullstack demo with 3000 held by a
// foreign process, Start Stack from the palette, the server moved to the next free port in a terminal
// named "server" with its WebSocket, tree, status bar and tooltips saying so, the host and then
// code-server killed with SIGKILL taking the stack with them, and Stop Stack freeing every port.
import { type ChildProcess, spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import type { DiscoveryRecord } from '../../protocol/discovery';
import type { PortsResponse } from '../../protocol/http';
import { TOOLTIP_GRACE_MS } from '../../extension/resolvedTooltips';
import { type Workbench as WorkbenchType, launchBrowser, Workbench } from './harness/browser';
import { type CodeServer, startCodeServer } from './harness/codeServer';
import { hostPost, liveHost, portAnswers, until } from './harness/hostRecord';
import { repoRoot } from './harness/paths';
import { ensureVsix } from './harness/vsix';
import { descendants, isAlive } from '../../server/launch/processTree';
import { ancestors, describePid } from './harness/processTree';
import { serviceNow, serviceRow, tooltipProbe, treeRow, visibleHover } from './harness/servicesView';

const demo = join(repoRoot, 'examples', 'fullstack');
const FOREIGN_PORT = 3000;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function ports(host: DiscoveryRecord): Promise<Record<string, number>> {
  const body = (await (await fetch(`http://127.0.0.1:${host.port}/api/ports`)).json()) as PortsResponse;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(body.data)) if (typeof v === 'number') out[k] = v;
  return out;
}

function wsWelcome(port: number): Promise<{ type: string; port: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const timer = setTimeout(() => { socket.terminate(); reject(new Error('no WebSocket message within 5 s')); }, 5000);
    socket.once('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(JSON.parse(String(data)));
    });
    socket.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

describe('extension: Start Stack on the fullstack demo with port 3000 taken', { timeout: 10 * 60_000 }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: WorkbenchType | undefined;
  let foreign: ChildProcess | undefined;
  let stateDir = '';
  let expectedServerPort = 0;

  before(async () => {
    assert.ok(await portFree(FOREIGN_PORT), `port ${FOREIGN_PORT} must be free for this test; something else holds it`);
    // A real foreign listener, in its own process, so the host names its pid and command.
    foreign = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('foreign')).listen(${FOREIGN_PORT}, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      foreign!.stdout!.once('data', () => resolve());
      foreign!.once('exit', (code) => reject(new Error(`the foreign listener exited with ${code}`)));
    });
    expectedServerPort = (await portFree(3001)) ? 3001 : 0;
    stateDir = mkdtempSync(join(tmpdir(), 'manito-ext-state-'));
    const vsix = await ensureVsix();
    server = await startCodeServer({ vsix: [vsix], env: { MANITO_STATE_DIR: stateDir } });
    browser = await launchBrowser();
    workbench = await Workbench.open(browser, server, demo);
  });

  after(async () => {
    if (workbench && stateDir) {
      // Leave no service running if an assertion failed half way.
      const host = liveHost(stateDir);
      if (host) await hostPost(host, '/api/stack/stop').catch(() => undefined);
    }
    await workbench?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    foreign?.kill();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts the server on the next free port in a terminal named "server", and it answers there', async () => {
    const wb = workbench!;
    // Before anything starts, the status bar already shows the allocation.
    const item = await wb.waitForStatusBarItem(/server \d+/);
    const serverPort = Number(/server (\d+)/.exec(item.text)![1]);
    assert.notEqual(serverPort, FOREIGN_PORT, `status bar: ${item.text}`);
    if (expectedServerPort) assert.equal(serverPort, expectedServerPort);
    expectedServerPort = serverPort;

    await wb.runCommand('Manito: Start Stack');
    const health = await until('the server to answer on its port', async () => {
      const response = await fetch(`http://127.0.0.1:${serverPort}/api/health`, { signal: AbortSignal.timeout(1000) });
      return response.ok ? ((await response.json()) as { port: number; service: string }) : undefined;
    }, 120_000);
    assert.equal(health.port, serverPort, 'the server read its port from PORT');
    assert.equal(health.service, 'fullstack-api');
    // The foreign listener still owns 3000.
    assert.equal(await (await fetch(`http://127.0.0.1:${FOREIGN_PORT}/`)).text(), 'foreign');

    // The terminal is named after the service.
    const tabs = wb.panel().locator('.terminal-tabs-entry, .single-terminal-tab');
    await until('a terminal named "server"', async () => (await tabs.allInnerTexts()).some((t) => /\bserver\b/.test(t)));
  });

  it('the websocket follows the server onto the same port', async () => {
    const welcome = await wsWelcome(expectedServerPort);
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.port, expectedServerPort);
  });

  it('the Vite client proxies to the moved server', async () => {
    const host = liveHost(stateDir);
    assert.ok(host, 'a live host in MANITO_STATE_DIR');
    const clientPort = (await ports(host)).client;
    const body = await until('the client to proxy /api/hello', async () => {
      const response = await fetch(`http://127.0.0.1:${clientPort}/api/hello`, { signal: AbortSignal.timeout(2000) });
      return response.ok ? ((await response.json()) as { port: number }) : undefined;
    }, 120_000);
    assert.equal(body.port, expectedServerPort);
  });

  it('the tree, the status bar and its tooltip say where the server went and why', async () => {
    const wb = workbench!;
    await wb.openViewContainer('Manito');
    // The engine calls a later preferred port "preferred" and an evicted one "moved"; either way
    // the row shows the port and the tooltip says who holds 3000.
    // The named URL through the user's proxy leads the row: it is the address that survives moves.
    const rowPattern = new RegExp(`^server\\.[a-z0-9.-]+\\.localhost:\\d+ · ${expectedServerPort} · (preferred|fallback|moved) · healthy$`);
    await until('the server row to be healthy', async () => rowPattern.test(await treeRow(wb, 'server')));
    assert.match(await treeRow(wb, 'websocket'), new RegExp(`^websocket\\.[a-z0-9.-]+\\.localhost:\\d+ · ${expectedServerPort} · inherited`));

    const item = await wb.waitForStatusBarItem(new RegExp(`server ${expectedServerPort}`));
    assert.match(item.text, new RegExp(`server ${expectedServerPort} · client \\d+`));
    await wb.screenshot('extension-tree-and-status-bar');

    // The row's own tooltip explains the move.
    const rowTooltip = await visibleHover(wb, /is held by/, serviceRow(wb, 'server').locator('.label-name'));
    assert.match(rowTooltip, new RegExp(`${FOREIGN_PORT} is held by pid ${foreign!.pid}.*assigned ${expectedServerPort}`));
    await wb.page.mouse.move(700, 400);

    const statusItem = wb.page.locator('.part.statusbar .statusbar-item', { hasText: `server ${expectedServerPort}` }).first();
    const tooltip = await visibleHover(wb, /Open Dashboard/, statusItem);
    assert.match(tooltip, new RegExp(`server\\s+server\\.[a-z0-9.-]+\\.localhost:\\d+ · ${expectedServerPort} · \\w+ · healthy`));
    assert.match(tooltip, new RegExp(`${FOREIGN_PORT} is held by pid ${foreign!.pid}`));
    assert.match(tooltip, /Open Dashboard/);
    await wb.screenshot('extension-status-bar-tooltip');
    await wb.page.mouse.move(700, 400);
  });

  it("a row's tooltip shows the service's latest probe on every hover, not the one of the last tree refresh", async () => {
    const wb = workbench!;
    const host = liveHost(stateDir)!;
    const interval = 2000; // examples/fullstack/manito.json: server's health.intervalMs
    // A probe that ran at most one interval (plus its own time and the snapshot's trip) before the hover.
    const recent = interval + 1500;
    // Hovering another row first: VS Code shows one tooltip at a time, so the server row's tooltip
    // from the test above is dropped at once rather than after its grace period.
    await visibleHover(wb, /^client ·/, serviceRow(wb, 'client').locator('.label-name'));
    await wb.page.mouse.move(700, 400);
    const first = await tooltipProbe(wb, host, 'server');
    assert.ok(first.ageMs <= recent, `the first hover shows a probe ${first.ageMs} ms old: ${first.text}`);
    await wb.page.mouse.move(700, 400);

    // Nothing but probes changes meanwhile, so the tree itself is not refreshed.
    await until('the host to probe the server after the first tooltip\'s grace period', async () => {
      const lastCheck = (await serviceNow(host, 'server')).lastCheck;
      return lastCheck !== null && Date.parse(lastCheck) > first.shownAt + TOOLTIP_GRACE_MS;
    }, 30_000);
    const second = await tooltipProbe(wb, host, 'server');
    await wb.screenshot('extension-row-tooltip-latest-probe');
    assert.notEqual(second.sample.at, first.sample.at, `the second hover repeats the first probe: ${second.text}`);
    assert.ok(second.ageMs <= recent, `the second hover shows a probe ${second.ageMs} ms old: ${second.text}`);
    await wb.page.mouse.move(700, 400);
  });

  it('the host killed with SIGKILL: its services end with it within 5 s; the next host has the same assignments and starts them again there', async () => {
    const before = liveHost(stateDir);
    assert.ok(before, 'a live host in MANITO_STATE_DIR');
    const assigned = await ports(before);
    process.kill(before.pid, 'SIGKILL');
    // No orphans: the host's reaper ends every service it ran (issue 12 rule 3).
    for (const service of ['server', 'client', 'redis']) {
      await until(`${service} (${assigned[service]}) to end with its host`, async () => !(await portAnswers(assigned[service])), 5000);
    }
    const after = await until('a new host', async () => liveHost(stateDir, before.pid), 60_000);
    assert.notEqual(after.pid, before.pid);
    assert.deepEqual(await ports(after), assigned);
    await workbench!.waitForStatusBarItem(new RegExp(`server ${expectedServerPort}`));
    await workbench!.runCommand('Manito: Start Stack');
    await until('the server to answer on its port again', async () => {
      const response = await fetch(`http://127.0.0.1:${expectedServerPort}/api/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return response?.ok;
    }, 120_000);
    await workbench!.screenshot('extension-after-host-restart');
  });

  it('Stop Stack frees the ports', async () => {
    const host = liveHost(stateDir);
    assert.ok(host);
    const assigned = await ports(host);
    await workbench!.runCommand('Manito: Stop Stack');
    for (const service of ['server', 'client', 'redis']) {
      await until(`${service} (${assigned[service]}) to be freed`, async () => !(await portAnswers(assigned[service])), 60_000);
    }
    assert.equal(await portAnswers(FOREIGN_PORT), true, 'the foreign listener is not ours to stop');
  });

  it('once the foreign holder exits, the row and its tooltip say the port is free again, and Move Back puts the server there', async () => {
    const wb = workbench!;
    const holder = foreign!;
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill();
    await exited;
    const freedRow = new RegExp(`^server\\.[a-z0-9.-]+\\.localhost:\\d+ · ${expectedServerPort} · \\w+ · stopped · ${FOREIGN_PORT} free again$`);
    await until('the server row to say the port is free again', async () => freedRow.test(await treeRow(wb, 'server')), 30_000);
    const tooltip = await visibleHover(wb, /free again/, serviceRow(wb, 'server').locator('.label-name'));
    assert.match(tooltip, new RegExp(`${FOREIGN_PORT} is free again: pid ${holder.pid} .*which held it, has exited; server stays on ${expectedServerPort} until you move it back`));
    assert.match(tooltip, new RegExp(`Move back to ${FOREIGN_PORT}`));
    await wb.screenshot('extension-port-free-again');
    await wb.page.mouse.move(700, 400);

    // The row's inline action, as a user clicks it.
    const row = serviceRow(wb, 'server');
    await row.hover();
    await row.locator('.action-label[aria-label="Move Back to Preferred Port"]').click();
    await until('the server row on its preferred port', async () => new RegExp(`^server\\.[a-z0-9.-]+\\.localhost:\\d+ · ${FOREIGN_PORT} · preferred · stopped$`).test(await treeRow(wb, 'server')), 30_000);
    await wb.screenshot('extension-moved-back');
  });

  it('code-server killed with SIGKILL: no process of the stack (node server, Vite, redis-server) survives 5 s', async () => {
    await workbench!.runCommand('Manito: Start Stack');
    // The server may be back on its preferred port (Move Back, above): ask the host where it is.
    const host = liveHost(stateDir)!;
    const assigned = await ports(host);
    await until('the server to answer again', async () => {
      const response = await fetch(`http://127.0.0.1:${assigned.server}/api/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return response?.ok;
    }, 120_000);
    for (const service of ['client', 'redis']) await until(`${service} to answer`, async () => portAnswers(assigned[service]), 120_000);
    const stack = descendants(host.pid);
    assert.match(stack.map(describePid).join('\n'), /redis-server[^]*client\/dev\.mjs|client\/dev\.mjs[^]*redis-server/);
    // Every ancestor of the host up to this test: the editor's processes, killed without warning.
    for (const pid of ancestors(host.pid)) process.kill(pid, 'SIGKILL');
    const alive = () => [host.pid, ...stack].filter(isAlive);
    for (const deadline = Date.now() + 5000; alive().length && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(alive().map(describePid), [], 'no process of the stack survives its editor by 5 s');
    for (const service of ['server', 'client', 'redis']) assert.equal(await portAnswers(assigned[service]), false, `${service} still answers`);
  });
});
