// End-to-end proof of the frame: the packaged .vsix installed into code-server activates, shows its
// status-bar item and Services view, answers a command from the palette, and passes an
// extension-host suite in the real `vscode` API.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { useEditorSession } from './harness';

const editorSession = useEditorSession();

test('in the workbench: Manito view, status-bar item and Show Logs from the palette', { timeout: 240_000 }, async () => {
  const s = editorSession();
  const workbench = await s.openWorkbench(s.workspace({ 'README.md': '# a project without manito.json\n' }));
  try {
    const sidebar = await workbench.openViewContainer('Manito');
    await workbench.view('Services').waitFor({ state: 'visible' });
    assert.match(await sidebar.locator('.composite.title h2').innerText(), /manito/i);

    // Without a manito.json the embedded default stack is served: the tree lists its six services.
    for (const name of ['server', 'client', 'websocket', 'database', 'redis', 'monitoring']) {
      // A web service's row starts with its named URL ("server.<ws>.localhost:14730 · 3000 · …").
      await sidebar.locator('.monaco-list-row', { hasText: new RegExp(`^${name}\\s*(\\S+\\.localhost:\\d+\\s·\\s)?\\d+`) }).first().waitFor({ state: 'visible' });
    }
    await sidebar.locator('.monaco-list-row', { hasText: 'Embedded default stack' }).waitFor({ state: 'visible' });

    // The status-bar port indicator shows the default stack's allocated ports.
    const item = await workbench.waitForStatusBarItem(/server \d+ · client \d+/);
    assert.match(item.id, /^manito\.manito\./, `the port indicator is not Manito's: ${JSON.stringify(item)}`);
    console.log(`status-bar item: ${JSON.stringify(item)}`);
    // With nothing of the stack running the item shows the tree's "stopped" circle, otherwise the
    // broadcast icon (a service of the default stack may already run on this machine).
    const allStopped = /; 6 stopped$/.test(item.ariaLabel);
    await workbench.page.locator(`[id="${item.id}"] .codicon-${allStopped ? 'circle-large-outline' : 'radio-tower'}`).waitFor({ state: 'visible' });

    await workbench.runCommand('Manito: Show Logs');
    await workbench.panel().waitFor({ state: 'visible' });
    assert.equal(await workbench.outputChannel(), 'Manito');
    await workbench.panel().locator('.view-lines').filter({ hasText: /\S/ }).first().waitFor({ state: 'visible' });
    // The editor renders spaces as no-break spaces, hence \s. The host's lines carry the LogOutputChannel's
    // stamp and level, as the extension's do (no "[Info  - 3:03:09 PM]").
    await workbench.panel().locator('.view-line', { hasText: /^\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\.\d{3}\s\[info\]\s\[host\]\s/ }).first().waitFor({ state: 'visible' });
    assert.equal(await workbench.panel().locator('.view-line', { hasText: /^\[(Info|Warn|Error)\s*- / }).count(), 0);

    const shot = await workbench.screenshot('smoke-workbench');
    console.log(`screenshot: ${shot}`);
  } catch (error) {
    await workbench.failureReport('smoke-workbench-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});

test('in the extension host: the extension is present, active and registers its commands', { timeout: 240_000 }, async () => {
  const s = editorSession();
  const result = await s.runSuite(s.workspace(), { suite: 'index', screenshotOnFailure: 'smoke-suite-failure' });
  assert.equal(result.exitCode, 0, `extension-host suite failed:\n${result.logs.join('\n')}`);
  assert.ok(result.logs.some((line) => /ok - every contributed command is registered/.test(line)), result.logs.join('\n'));
});
