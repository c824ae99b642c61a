// The Get Started walkthrough, driven as a user would in code-server: its four steps start open
// and complete one by one on the real events (the stack is known, Start Stack runs a service,
// the dashboard opens, a launch configuration resolves ${command:manito.port.web}). Also checks
// quiet success: Start Stack says so in the status bar, with no toast. Screenshots at each stage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from './harness/codeServer';
import { useEditorSession, type Workbench } from './harness';
import { until } from './harness/hostRecord';

const editorSession = useEditorSession();

const WEB_SERVER = `require('node:http').createServer((req, res) => res.end('ok'))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('web on', process.env.PORT));
`;

/** Prints the port it was given, so the launch configuration's variable is visibly resolved. */
const PRINT_PORT = "console.log('port from launch.json:', process.argv[2]);\n";

const STEPS = ['stack', 'start', 'dashboard', 'launch'] as const;

function step(page: Page, id: (typeof STEPS)[number]) {
  return page.locator(`button.getting-started-step[data-step-id$="${id}"]`);
}

async function stepStates(page: Page): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const id of STEPS) out[id] = (await step(page, id).getAttribute('aria-checked')) === 'true';
  return out;
}

/** Welcome: Open Walkthrough... and pick Manito's, as a user does from the palette. */
async function openWalkthrough(workbench: Workbench): Promise<void> {
  const page = workbench.page;
  const widget = page.locator('.quick-input-widget');
  await workbench.openPalette('>Welcome: Open Walkthrough...');
  await widget.locator('.monaco-list-row', { hasText: 'Welcome: Open Walkthrough...' }).first().click();
  await widget.locator('.monaco-list-row', { hasText: 'Get started with Manito' }).first().click();
  await widget.waitFor({ state: 'hidden' });
  await step(page, 'stack').waitFor({ state: 'visible' });
}

test('the walkthrough completes each step on the real event', { timeout: 300_000 }, async () => {
  const session = editorSession();
  const port = await freePort();
  const folder = session.workspace({
    'manito.json': JSON.stringify({
      services: { web: { kind: 'http', preferred: [port], command: 'node web.js', health: { type: 'http', path: '/' } } },
    }, null, 2),
    'web.js': WEB_SERVER,
    'print.js': PRINT_PORT,
    '.vscode/launch.json': JSON.stringify({
      version: '0.2.0',
      configurations: [{ type: 'node', request: 'launch', name: 'print port', program: '${workspaceFolder}/print.js', args: ['${command:manito.port.web}'] }],
    }, null, 2),
  });
  const workbench = await session.openWorkbench(folder);
  try {
    await workbench.waitForStatusBarItem(new RegExp(`web ${port}`));
    await openWalkthrough(workbench);
    const page = workbench.page;
    await until('the stack step to complete (the host serves manito.json)', async () => (await stepStates(page)).stack);
    assert.deepEqual(await stepStates(page), { stack: true, start: false, dashboard: false, launch: false });
    await workbench.screenshot('walkthrough-1-stack');

    // Quiet success: the outcome is in the status bar, and no toast pops up.
    await workbench.runCommand('Manito: Start Stack');
    await until('web to run and the start step to complete', async () => (await stepStates(page)).start, 90_000);
    const said = await workbench.waitForStatusBarItem(/Manito: .*start/i);
    assert.match(said.text, /Manito/);
    assert.deepEqual(await workbench.notificationToasts(), [], 'a successful Start Stack shows no toast');
    await workbench.screenshot('walkthrough-2-started');

    await workbench.runCommand('Manito: Open Dashboard');
    await page.locator('.tabs-container .tab', { hasText: 'Manito Dashboard' }).waitFor({ state: 'visible' });
    // Back to the walkthrough's tab: the dashboard's webview holds the keyboard focus.
    await page.locator('.tabs-container .tab', { hasText: 'Walkthrough' }).click();
    await until('the dashboard step to complete', async () => (await stepStates(page)).dashboard);

    await workbench.runCommand('Debug: Start Debugging');
    await until('the launch step to complete once launch.json asked Manito for the port', async () => (await stepStates(page)).launch, 90_000);
    assert.deepEqual(await stepStates(page), { stack: true, start: true, dashboard: true, launch: true });
    await step(page, 'launch').scrollIntoViewIfNeeded();
    await workbench.screenshot('walkthrough-3-all-done');
  } catch (error) {
    await workbench.failureReport('walkthrough-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});
