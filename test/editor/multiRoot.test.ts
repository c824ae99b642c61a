// Multi-root and worktrees in the real workbench. A .code-workspace with two folders, each with its
// own manito.json naming the same service on the same preferred ports, and a docs folder without
// one: both stacks are served by their own host on distinct ports, the tree groups them by folder,
// the status bar follows the active editor's folder, Start Stack asks which folder (or all), and a
// folder added to or removed from the workspace file at run time gains or loses its host. Then two
// windows on two git worktrees of one repository: distinct ports, and the second one's tooltip
// names the worktree holding the port it prefers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import type { Frame } from 'playwright-core';
import type { DiscoveryRecord } from '../../protocol/discovery';
import type { PortsResponse } from '../../protocol/http';
import { freePort } from './harness/codeServer';
import { until, useEditorSession, type Workbench } from './harness';

const editorSession = useEditorSession({ env: { MANITO_PROXY: 'off' } });

/** Every live host's record in the session's state dir, by the base name of its workspace. */
function liveHosts(stateDir: string): Map<string, DiscoveryRecord> {
  const out = new Map<string, DiscoveryRecord>();
  let names: string[] = [];
  try { names = readdirSync(join(stateDir, 'hosts')); } catch { return out; }
  for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
    try {
      const record = JSON.parse(readFileSync(join(stateDir, 'hosts', name), 'utf8')) as DiscoveryRecord;
      process.kill(record.pid, 0);
      out.set(basename(record.workspace), record);
    } catch {
      // A dead pid or a file being written.
    }
  }
  return out;
}

async function webPort(host: DiscoveryRecord): Promise<number> {
  const body = (await (await fetch(`http://127.0.0.1:${host.port}/api/ports`)).json()) as PortsResponse;
  return body.data.web as number;
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

const stack = (preferred: number[]) => JSON.stringify({ services: { web: { preferred, kind: 'http' } } }, null, 2);

function treeRow(workbench: Workbench, label: string) {
  return workbench.view('Services').locator('.monaco-list-row', { has: workbench.page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
}

/** Opens a workspace file by name through Quick Open, so it becomes the active editor. */
async function openFile(workbench: Workbench, name: string): Promise<void> {
  const page = workbench.page;
  const widget = page.locator('.quick-input-widget');
  await workbench.openPalette(name);
  await widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) }).first().click();
  await widget.waitFor({ state: 'hidden' });
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

async function dashboardFrame(workbench: Workbench): Promise<Frame> {
  return until('the dashboard webview frame', async () => {
    for (const frame of workbench.page.frames()) {
      if (await frame.locator('main#app.dashboard').count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

test('a multi-root workspace: each folder with a manito.json served, grouped, followed, added and removed at run time', { timeout: 8 * 60_000 }, async () => {
  const s = editorSession();
  const preferred = await distinctFreePorts(3);
  const root = s.workspace({
    'app-a/manito.json': stack(preferred),
    'app-a/README.md': '# a\n',
    'app-b/manito.json': stack(preferred),
    'app-b/notes-b.md': '# b\n',
    'docs/index.md': '# docs, no stack\n',
  });
  const workspaceFile = join(root, 'stacks.code-workspace');
  const writeWorkspace = (folders: string[]) => writeFileSync(workspaceFile, JSON.stringify({ folders: folders.map((path) => ({ path })) }, null, 2));
  writeWorkspace(['app-a', 'app-b', 'docs']);
  const workbench = await s.openWorkbench(workspaceFile);
  try {
    // Both stacks, each by its own host, on distinct ports: the first folder got the first preferred port.
    const hosts = await until('hosts for app-a and app-b', async () => {
      const live = liveHosts(s.stateDir);
      return live.has('app-a') && live.has('app-b') ? live : undefined;
    });
    assert.equal(hosts.has('docs'), false, 'a folder without manito.json beside ones with it gets no host');
    const [portA, portB] = [await webPort(hosts.get('app-a')!), await webPort(hosts.get('app-b')!)];
    assert.notEqual(portA, portB);
    assert.deepEqual(new Set([portA, portB]), new Set(preferred.slice(0, 2)));

    // The tree: one node per served folder, each with its own "web" row and port.
    const sidebar = await workbench.openViewContainer('Manito');
    await treeRow(workbench, 'app-a').waitFor({ state: 'visible' });
    await treeRow(workbench, 'app-b').waitFor({ state: 'visible' });
    await until('two web rows with both ports', async () => {
      const rows = await treeRow(workbench, 'web').locator('.label-description').allInnerTexts();
      return rows.length === 2 && rows.some((r) => r.startsWith(String(portA))) && rows.some((r) => r.startsWith(String(portB)));
    });
    assert.equal(await treeRow(workbench, 'docs').count(), 0);
    // The folder node's inline Start/Stop act on that folder alone.
    await treeRow(workbench, 'app-b').hover();
    await treeRow(workbench, 'app-b').locator('.actions .action-label[aria-label="Start Stack"]').waitFor({ state: 'visible' });
    console.log(`tree: ${(await sidebar.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' | ')}`);
    console.log(`screenshot: ${await workbench.screenshot('multiroot-tree')}`);

    // The status bar shows the first folder until an editor of another folder is active.
    await workbench.waitForStatusBarItem(new RegExp(`app-a: web ${portA}`));
    await openFile(workbench, 'notes-b.md');
    const followed = await workbench.waitForStatusBarItem(new RegExp(`app-b: web ${portB}`));
    assert.match(followed.id, /^manito\.manito\./);
    console.log(`screenshot: ${await workbench.screenshot('multiroot-status-follows-editor')}`);

    // The dashboard shows the active editor's folder; focusing it keeps the status bar on that folder.
    await workbench.runCommand('Manito: Open Dashboard');
    const dashboard = await dashboardFrame(workbench);
    await dashboard.locator(`tr.service-row[data-service="web"][data-port="${portB}"]`).waitFor({ state: 'visible' });
    await workbench.waitForStatusBarItem(new RegExp(`app-b: web ${portB}`));
    console.log(`screenshot: ${await workbench.screenshot('multiroot-dashboard-of-active-folder')}`);

    // Start Stack asks: one folder, or all of them.
    const page = workbench.page;
    const widget = page.locator('.quick-input-widget');
    await workbench.openPalette('>Manito: Start Stack');
    await widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^Manito: Start Stack$/ }) }).first().click();
    await widget.locator('.monaco-list-row', { hasText: 'All 2 folders' }).waitFor({ state: 'visible' });
    // Each row's own label (its detail line, the folder's ports, is a second label in the row).
    const choices = await widget.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => (r.querySelector('.label-name') as HTMLElement | null)?.innerText.trim()));
    assert.deepEqual(choices, ['All 2 folders', 'app-a', 'app-b']);
    assert.match(await widget.locator('.monaco-list-row').nth(2).innerText(), new RegExp(`web ${portB}`), 'each folder with its ports');
    console.log(`screenshot: ${await workbench.screenshot('multiroot-start-stack-pick')}`);
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden' });

    // A folder added to the workspace at run time is served at once, on the next free preferred port.
    mkdirSync(join(root, 'app-c'));
    writeFileSync(join(root, 'app-c', 'manito.json'), stack(preferred));
    writeWorkspace(['app-a', 'app-b', 'docs', 'app-c']);
    const hostC = await until('a host for the added folder', async () => liveHosts(s.stateDir).get('app-c'));
    const portC = await until('its web port', async () => webPort(hostC).catch(() => undefined));
    assert.equal(portC, preferred[2]);
    await treeRow(workbench, 'app-c').waitFor({ state: 'visible' });
    console.log(`screenshot: ${await workbench.screenshot('multiroot-folder-added')}`);

    // A folder removed: its host stops and its node goes.
    const pidB = hosts.get('app-b')!.pid;
    writeWorkspace(['app-a', 'docs', 'app-c']);
    await until('the removed folder\'s host to exit', async () => !liveHosts(s.stateDir).has('app-b'));
    await until('its process to be gone', async () => {
      try { process.kill(pidB, 0); return false; } catch { return true; }
    });
    await treeRow(workbench, 'app-b').waitFor({ state: 'detached' });
    await treeRow(workbench, 'app-a').waitFor({ state: 'visible' });
    // The dashboard that showed the removed folder now shows the first one.
    await (await dashboardFrame(workbench)).locator(`tr.service-row[data-service="web"][data-port="${portA}"]`).waitFor({ state: 'visible' });
    console.log(`screenshot: ${await workbench.screenshot('multiroot-folder-removed')}`);
  } catch (error) {
    await workbench.failureReport('multiroot-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});

test('two windows on two git worktrees of one repository: distinct ports; the tooltip names the other worktree', { timeout: 8 * 60_000 }, async () => {
  const s = editorSession();
  const preferred = await distinctFreePorts(3);
  const base = s.workspace();
  const repo = join(base, 'shop');
  mkdirSync(repo);
  writeFileSync(join(repo, 'manito.json'), stack(preferred));
  const git = (...args: string[]) => execFileSync('git', args, {
    cwd: repo, stdio: 'ignore',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
  });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'stack');
  git('worktree', 'add', '-q', '-b', 'checkout-flow', join(base, 'shop-checkout'));

  const first = await s.openWorkbench(repo);
  let second: Workbench | undefined;
  try {
    await first.waitForStatusBarItem(new RegExp(`web ${preferred[0]}`));
    second = await s.openWorkbench(join(base, 'shop-checkout'));
    const item = await second.waitForStatusBarItem(new RegExp(`web ${preferred[1]}`));
    const hosts = liveHosts(s.stateDir);
    assert.equal(await webPort(hosts.get('shop')!), preferred[0]);
    assert.equal(await webPort(hosts.get('shop-checkout')!), preferred[1]);

    // The status bar's tooltip says why: which worktree holds the port this one prefers.
    const hover = second.page.locator('.monaco-hover:visible, .workbench-hover-container:visible', { hasText: 'worktree' });
    const text = await until('the tooltip naming the other worktree', async () => {
      await second!.page.mouse.move(700, 300);
      await second!.page.locator(`[id="${item.id}"]`).hover();
      return hover.first().innerText({ timeout: 3000 }).catch(() => undefined);
    });
    assert.match(text, new RegExp(`${preferred[0]} is held by worktree \\.\\./shop \\(branch main\\) for web`));
    console.log(`tooltip: ${text.replace(/\s+/g, ' ')}`);
    console.log(`screenshot: ${await second.screenshot('worktrees-second-window-tooltip')}`);
    console.log(`screenshot: ${await first.screenshot('worktrees-first-window')}`);
  } catch (error) {
    await first.screenshot('worktrees-failure-first').catch(() => {});
    await second?.screenshot('worktrees-failure-second').catch(() => {});
    throw error;
  } finally {
    await second?.close();
    await first.close();
  }
});
