// The dashboard in the real workbench: "Manito: Open Dashboard" from the command palette, its
// webview frame checked against the host's /api/health?detailed=true, a service started and
// restarted from the dashboard's own buttons with the change arriving live, the panel revived
// after a reload, and screenshots in a dark, a light and a high-contrast theme.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import type { StackConfig } from '../../protocol/config';
import type { DiscoveryRecord } from '../../protocol/discovery';
import type { HealthResponse } from '../../protocol/http';
import type { StackSnapshot } from '../../protocol/model';
import { freePort } from './harness/codeServer';
import { useEditorSession, type EditorSession, type Workbench } from './harness';
import { liveHost, until } from './harness/hostRecord';

const DARK = 'Default Dark Modern';
const LIGHT = 'Default Light Modern';
/** The picker's label of the theme whose id is "Default High Contrast". */
const HIGH_CONTRAST = 'Dark High Contrast';

const editorSession = useEditorSession({ settings: { 'workbench.colorTheme': DARK } });

async function api<T>(host: DiscoveryRecord, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${host.port}${path}`);
  return await response.json() as T;
}

/** The webview's content frame: VS Code nests it inside its own iframe; find it by our markup. */
async function dashboardFrame(page: Page): Promise<Frame> {
  return until('the dashboard webview frame', async () => {
    for (const frame of page.frames()) {
      if (await frame.locator('main#app.dashboard').count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

async function webPid(host: DiscoveryRecord): Promise<number | null> {
  return (await webView(host))?.pid ?? null;
}

async function webView(host: DiscoveryRecord): Promise<StackSnapshot['services'][number] | undefined> {
  const { data } = await api<{ data: StackSnapshot }>(host, '/api/snapshot');
  return data.services.find((s) => s.name === 'web');
}

/**
 * The dashboard re-renders its rows as snapshots arrive (every probe): on a loaded machine a click
 * can land on a row just replaced and do nothing. Click, then wait for the host to show the action
 * happened; click again only if it did not (start and restart are safe to repeat here).
 */
async function clickUntil(what: string, button: Locator, happened: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await button.click({ timeout: 60_000 });
    try {
      await until(what, async () => (await happened()) || undefined, 15_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

function setTheme(s: EditorSession, theme: string): void {
  const file = join(s.server.userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...settings, 'workbench.colorTheme': theme }, null, 2));
}

/** "Preferences: Color Theme", type the theme's name, Enter; the workbench applies it at once. */
async function pickColorTheme(workbench: Workbench, theme: string): Promise<void> {
  const page = workbench.page;
  const widget = page.locator('.quick-input-widget');
  const input = await workbench.openPalette('>Preferences: Color Theme');
  // "Browse Color Themes in Marketplace" matches too and may come first: pick the exact label.
  await widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) }).first().click();
  await until('the theme picker', async () => (await input.inputValue()) === '' && (await widget.locator('.monaco-list-row').count()) > 3);
  await input.fill(theme);
  // "Default High Contrast Light" matches the typed name too; pick the row whose name is exact.
  const rows = widget.locator('.monaco-list-row', { hasText: theme });
  await rows.first().waitFor();
  const names = await rows.locator('.label-name').allInnerTexts();
  const index = names.findIndex((n) => n.trim() === theme);
  assert.ok(index >= 0, `no theme named ${theme} among ${JSON.stringify(names)}`);
  await rows.nth(index).click();
  await widget.waitFor({ state: 'hidden' });
}

async function bodyClass(frame: Frame): Promise<string> {
  return (await frame.locator('body').getAttribute('class')) ?? '';
}

test('Open Dashboard shows the host\'s truth, restarts a service from its button, survives a reload, in dark, light and high contrast', { timeout: 480_000 }, async () => {
  const s = editorSession();
  const [hostPort, webPort, cachePort] = [await freePort(), await freePort(), await freePort()];
  const config: StackConfig = {
    host: { ports: [hostPort] },
    services: {
      web: {
        preferred: [webPort], kind: 'http', description: 'Started from the dashboard',
        command: `node -e "require('http').createServer((q, r) => r.end('ok')).listen(process.env.PORT, '127.0.0.1')"`,
        health: { type: 'http', path: '/', intervalMs: 500, timeoutMs: 500 },
      },
      cache: { preferred: [cachePort], kind: 'redis', description: 'Not running', health: { type: 'tcp', intervalMs: 500 } },
    },
  };
  const folder = s.workspace({ 'manito.json': JSON.stringify(config, null, 2) });
  const workbench: Workbench = await s.openWorkbench(folder);
  try {
    const host = await until('the Manito host of this workspace', async () => liveHost(s.stateDir));

    await workbench.runCommand('Manito: Open Dashboard');
    let frame = await dashboardFrame(workbench.page);
    await frame.locator('tr.service-row').first().waitFor();

    // Every service as the host reports it: port, reason, health.
    const health = await api<HealthResponse>(host, '/api/health?detailed=true');
    const expected = Object.entries(health.services!).filter(([name]) => name !== 'websocket');
    assert.equal(await frame.locator('tr.service-row').count(), expected.length);
    for (const [name, entry] of expected) {
      const row = frame.locator(`tr.service-row[data-service="${name}"]`);
      assert.equal(await row.getAttribute('data-port'), String(entry.port), `${name} port`);
      assert.match(await row.innerText(), new RegExp(entry.reason!.replace('_', ' ')));
    }
    await until('the health shown to match the host', async () => {
      const now = await api<HealthResponse>(host, '/api/health?detailed=true');
      for (const [name, entry] of Object.entries(now.services!).filter(([n]) => n !== 'websocket')) {
        if (await frame.locator(`tr.service-row[data-service="${name}"]`).getAttribute('data-health') !== entry.status) return false;
      }
      return true;
    });
    assert.match(await frame.locator('.host-line').innerText(), new RegExp(`Host running.*port ${host.port}`, 's'));
    assert.match(await bodyClass(frame), /vscode-dark/);

    // Start from the dashboard: the host spawns the service itself (runner "process") and the
    // editor shows it in a pseudo-terminal named after it; health arrives live.
    await clickUntil('web to be started', frame.locator('button[data-action="start"][data-target="web"]'), async () => (await webView(host))?.runner === 'process');
    const tabs = workbench.panel().locator('.terminal-tabs-entry, .single-terminal-tab');
    await until('a terminal named "web"', async () => (await tabs.allInnerTexts()).some((t) => /\bweb\b/.test(t)), 60_000);
    await frame.locator('tr.service-row[data-service="web"][data-health="healthy"]').waitFor({ timeout: 90_000 });
    const firstPid = await until('web to have a pid', () => webPid(host));

    // Restart from its button; the change arrives in the dashboard.
    const startedBefore = await frame.locator('li.event[data-event-type="started"]').count();
    const restart = frame.locator('button[data-action="restart"][data-target="web"]');
    assert.equal(await restart.getAttribute('aria-label'), 'Restart web');
    await clickUntil('web to run again under a new pid', restart, async () => {
      const pid = await webPid(host);
      return pid !== null && pid !== firstPid;
    });
    await until('a new "started" event in the dashboard', async () =>
      (await frame.locator('li.event[data-event-type="started"]').count()) > startedBefore, 30_000);
    await frame.locator('tr.service-row[data-service="web"][data-health="healthy"]').waitFor({ timeout: 60_000 });
    const webRow = await frame.locator('tr.service-row[data-service="web"]').innerText();
    assert.match(webRow, /Healthy/);
    assert.match(webRow, new RegExp(String(webPort)));
    // web healthy, cache not running: the header badge counts both instead of "All healthy".
    assert.equal((await api<HealthResponse>(host, '/api/health?detailed=true')).services!.cache!.status, 'stopped');
    assert.equal((await frame.locator('.masthead .chip.overall').innerText()).trim(), '1 healthy · 1 stopped');
    // Show terminal brings the service's terminal forward.
    await frame.locator('button[data-action="showTerminal"][data-target="web"]').click();
    await workbench.panel().waitFor({ state: 'visible' });
    await frame.locator('.notice-info').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
    await workbench.screenshot('dashboard-dark');

    // Light theme and a reload: the panel comes back by itself (serializer) and follows the theme.
    setTheme(s, LIGHT);
    // Reload as a user does (Developer: Reload Window): the workbench saves its open editors before it
    // goes, where a bare page reload can outrun that save and come back with no editor to revive.
    const reloaded = workbench.page.waitForEvent('framenavigated', { predicate: (f) => f === workbench.page.mainFrame(), timeout: 60_000 });
    await workbench.runCommand('Developer: Reload Window');
    await reloaded;
    await workbench.waitReady();
    frame = await until('the dashboard to be revived after the reload', async () => {
      const f = await dashboardFrame(workbench.page);
      return (await f.locator('tr.service-row').count()) > 0 ? f : undefined;
    }, 120_000);
    await until('the light theme in the webview', async () => /vscode-light/.test(await bodyClass(frame)));
    // The revived panel still acts: start web from it.
    // Its terminal may have outlived the reload, found by the new host as running: then the start says so.
    await clickUntil('web to be started from the revived panel', frame.locator('button[data-action="start"][data-target="web"]:not([disabled])'),
      async () => {
        const now = liveHost(s.stateDir); // the reload started a new host
        const web = now && await webView(now);
        return web?.runner != null && web.health === 'healthy';
      });
    await frame.locator('tr.service-row[data-service="web"][data-health="healthy"]').waitFor({ timeout: 90_000 });
    await frame.locator('.notice-info').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
    await workbench.screenshot('dashboard-light');

    // High contrast, picked as a user would: Preferences: Color Theme.
    await pickColorTheme(workbench, HIGH_CONTRAST);
    await until('the high-contrast theme in the webview', async () => /vscode-high-contrast/.test(await bodyClass(frame)));
    await workbench.page.waitForTimeout(500);
    await workbench.screenshot('dashboard-high-contrast');
  } catch (error) {
    await workbench.failureReport('dashboard-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});
