// Services in the real workbench run as the host's own processes, each shown in a terminal named
// after it: the terminal shows the service's own output, and when the process exits, its exit code.
// A `manito` task from tasks.json starts a service, and a task that dependsOn it runs only once the
// service answers. Screenshots: test-results/screenshots/service-terminal-*.png.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from './harness/codeServer';
import { hostPost, liveHost, portAnswers, useEditorSession, until } from './harness';

// The DOM renderer, so the terminal's text can be read from the page.
const editorSession = useEditorSession({ settings: { 'terminal.integrated.gpuAcceleration': 'off' } });

const API_JS = `require('http').createServer((q, s) => s.end('api ' + process.env.PORT))
  .listen(+process.env.PORT, '127.0.0.1', () => console.log('api ready on ' + process.env.PORT));`;

test('Start Stack: each terminal shows its service\'s own output and exit code; a manito task in tasks.json starts a service', { timeout: 400_000 }, async () => {
  const s = editorSession();
  const [apiPort, jobPort] = [await freePort(), await freePort()];
  const folder = s.workspace({
    'api.js': API_JS,
    'manito.json': JSON.stringify({
      services: {
        api: { preferred: [apiPort], kind: 'http', command: 'node api.js', health: { type: 'http', path: '/', intervalMs: 200 } },
        job: { preferred: [jobPort], kind: 'tcp', command: `node -e "console.log('job says hello from pid ' + process.pid); process.exitCode = 3"` },
      },
    }, null, 2),
    '.vscode/tasks.json': JSON.stringify({
      version: '2.0.0',
      tasks: [
        { label: 'api up', type: 'manito', service: 'api' },
        {
          label: 'check api', type: 'shell', dependsOn: ['api up'],
          command: `node -e "fetch('http://127.0.0.1:${apiPort}/').then((r) => r.text()).then((t) => require('fs').writeFileSync('check.txt', t))"`,
        },
      ],
    }, null, 2),
  });
  const workbench = await s.openWorkbench(folder);
  try {
    await workbench.waitForStatusBarItem(new RegExp(`api ${apiPort}`));

    // A task from tasks.json: "check api" dependsOn the manito task, which ends once api is healthy.
    // "Tasks: Run Task" opens a second quick pick, so it is driven here rather than by runCommand().
    const picker = workbench.page.locator('.quick-input-widget');
    await workbench.openPalette('>Tasks: Run Task');
    const runTask = picker.locator('.monaco-list-row', { has: workbench.page.locator('.label-name', { hasText: /^Tasks: Run Task$/ }) }).first();
    await runTask.waitFor({ state: 'visible' });
    await runTask.click();
    const checkRow = picker.locator('.monaco-list-row', { hasText: 'check api' }).first();
    await checkRow.waitFor({ state: 'visible' });
    await checkRow.click();
    // VS Code may ask how to scan the task's output: continue without scanning.
    const scan = picker.locator('.monaco-list-row', { hasText: /Continue without scanning/ });
    if (await scan.first().isVisible({ timeout: 5000 }).catch(() => false)) await scan.first().click();
    const checked = await until('the dependent task to reach api', async () => (existsSync(join(folder, 'check.txt')) ? readFileSync(join(folder, 'check.txt'), 'utf8') : undefined), 120_000);
    assert.equal(checked, `api ${apiPort}`, 'the task that dependsOn "api up" ran after api answered, as api itself');
    await workbench.screenshot('service-terminal-task');

    // Start Stack: job runs and exits 3; its terminal shows its own line and the exit code.
    await workbench.runCommand('Manito: Start Stack');
    const tabs = workbench.panel().locator('.terminal-tabs-entry, .single-terminal-tab');
    await until('a terminal named "job"', async () => (await tabs.allInnerTexts()).some((t) => /\bjob\b/.test(t)), 60_000);
    const jobTab = workbench.panel().locator('.terminal-tabs-entry', { hasText: /\bjob\b/ });
    if (await jobTab.count()) await jobTab.first().click();
    const rows = workbench.panel().locator('.terminal-wrapper.active .xterm-rows');
    const text = await until('job\'s output and exit code in its terminal', async () => {
      const t = (await rows.allInnerTexts().catch(() => [])).join('\n');
      return /job says hello from pid \d+/.test(t) && /job exited with code 3/.test(t) ? t : undefined;
    }, 60_000);
    const pidShown = Number(/\(pid (\d+)\)/.exec(text)?.[1]);
    const pidSaid = Number(/job says hello from pid (\d+)/.exec(text)?.[1]);
    assert.ok(pidShown > 0, `the terminal names the service's pid:\n${text}`);
    // `sh -c` execs a single command: the pid the terminal shows is the service's own.
    assert.equal(pidSaid, pidShown, `the terminal's process is the service itself:\n${text}`);
    const shot = await workbench.screenshot('service-terminal-exit-code');
    console.log(`screenshot: ${shot}\n${text}`);
    assert.equal(await portAnswers(apiPort), true, 'api still runs: the task left it running');
  } catch (error) {
    await workbench.failureReport('service-terminal-failure');
    throw error;
  } finally {
    const host = liveHost(s.stateDir);
    if (host) await hostPost(host, '/api/stack/stop').catch(() => undefined);
    await workbench.close();
  }
});
