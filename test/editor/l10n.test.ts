// Localisation, seen as a user of another display language would: code-server runs with a
// pseudo-locale (qps-ploc, provided by a language pack), Manito's package.nls.qps-ploc.json and
// l10n/bundle.l10n.qps-ploc.json are pseudo-translations of its English ones, and the Services
// view, the status bar and the dashboard must show the pseudo-translated words. An English word
// left in any of them is a string that skipped localisation. Screenshots of the tree and dashboard.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { freePort } from './harness/codeServer';
import { useEditorSession } from './harness';
import { until } from './harness/hostRecord';
import { installPseudoLocale, PSEUDO_LOCALE, pseudoLanguagePack, pseudoLocalize as p } from './harness/pseudoLocale';

const packDir = mkdtempSync(join(tmpdir(), 'manito-qps-ploc-'));
after(() => rmSync(packDir, { recursive: true, force: true }));

const editorSession = useEditorSession({
  args: ['--locale', PSEUDO_LOCALE],
  extraVsix: async () => [await pseudoLanguagePack(packDir)],
  prepareInstall: installPseudoLocale,
});

async function dashboardFrame(page: Page): Promise<Frame> {
  return until('the dashboard webview frame', async () => {
    for (const frame of page.frames()) {
      if (await frame.locator('main#app.dashboard').count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

test('the tree, the status bar and the dashboard speak the display language', { timeout: 300_000 }, async () => {
  const session = editorSession();
  const port = await freePort();
  const folder = session.workspace({
    'manito.json': JSON.stringify({ services: { web: { kind: 'http', preferred: [port] } } }, null, 2),
  });
  const workbench = await session.openWorkbench(folder);
  const page = workbench.page;
  try {
    // The status bar's accessible label comes from the l10n bundle.
    const item = await workbench.waitForStatusBarItem(new RegExp(`web ${port}`));
    assert.ok(item.ariaLabel.startsWith(p('Manito ports: {0}; {1}').slice(0, 8)), `status bar label: ${item.ariaLabel}`);

    // Manifest strings (package.nls): the view container and the view.
    const sidebar = await workbench.openViewContainer(p('Manito'));
    const row = sidebar.locator('.monaco-list-row', { hasText: 'web' }).first();
    await row.waitFor({ state: 'visible' });
    const description = await until('the web row to show its port', async () => {
      const text = await row.locator('.label-description').textContent();
      return text?.includes(String(port)) ? text : undefined;
    });
    // Extension strings (vscode.l10n.t): the row's reason and health, after the named URL (a name, not translated).
    const words = `${port} · ${p('preferred')} · ${p('stopped')}`;
    assert.ok(description === words || new RegExp(`^web\\.[a-z0-9.-]+\\.localhost:\\d+ · `).test(description) && description.endsWith(` · ${words}`), `row: ${description}`);
    await workbench.screenshot('l10n-tree');

    // The dashboard: its words arrive from the extension in the `strings` message.
    await workbench.runCommand(`${p('Manito')}: ${p('Open Dashboard')}`);
    const frame = await dashboardFrame(page);
    const heading = frame.locator('#services-heading');
    await until('the dashboard to take the translated strings', async () => (await heading.textContent()) === p('Services'));
    const headers = (await frame.locator('.services-table thead th').allTextContents()).map((t) => t.trim());
    assert.deepEqual(headers, ['Service', 'Port', 'Health', 'Last probe', 'History', 'URL', 'Actions'].map(p));
    assert.equal((await frame.locator('#events-heading').textContent())?.trim(), p('Recent events'));
    assert.equal((await frame.locator('#usage-heading').textContent())?.trim(), p('Port usage'));
    assert.equal((await frame.locator('details.ownership summary').textContent())?.trim(), p('What Manito owns'));
    assert.equal((await frame.locator('details.ownership dt').first().textContent())?.trim(), p('Started by Manito'));
    const health = await frame.locator('tr.service-row[data-service="web"] .health-state').textContent();
    assert.equal(health?.trim(), p('Stopped'));
    assert.equal((await frame.locator('.masthead .chip.overall').textContent())?.trim(), p('All stopped'));
    // Events arrive as the host reports them: either list is fine, in the display language.
    const configEvent = frame.locator('li.event[data-event-type="config"] .event-text');
    if (await configEvent.count()) assert.equal((await configEvent.first().textContent())?.trim(), p('Loaded manito.json'));
    else assert.equal((await frame.locator('.events-section .empty').textContent())?.trim(), p('No events yet. Port assignments, moves, detections and health changes appear here as they happen.'));
    await workbench.screenshot('l10n-dashboard');
  } catch (error) {
    await workbench.failureReport('l10n-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});
