// The dashboard's "Port usage" view in real Chromium against the built host: a port a foreign
// process holds shows with its holder and cause; a new contest reaches the open page over the feed;
// the record is bounded per workspace and kept across a restart of the host (GET /api/usage too).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { UsageReport } from '../../protocol/usage';
import { launchBrowser } from '../editor/harness/browser';
import { screenshotsDir } from '../editor/harness/paths';
import { exitOf, freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';

let ws: Workspace;
let browser: Browser;
let ports: number[];
const holders: ChildProcess[] = [];

/** A listener in a process of its own, so the host names it by pid and command. */
async function holder(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  holders.push(child);
  return child;
}

async function usage(host: HostProcess): Promise<UsageReport> {
  return (await getJson(`${host.url}/api/usage`)).body.data as UsageReport;
}

before(async () => {
  ports = await freePorts(5);
  ws = makeWorkspace({ host: { ports: [ports[0]!] }, services: { api: { kind: 'tcp', preferred: [ports[1]!, ports[2]!] } } });
  ws.env.MANITO_PROXY = 'off';
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const child of holders) {
    child.kill('SIGKILL');
    await exitOf(child);
  }
  ws?.cleanup();
});

test('the usage view shows who held a contested port and how often; a new contest arrives live; the record survives a restart', { timeout: 120_000 }, async () => {
  const [, apiFirst, , webFirst, webSecond] = ports as [number, number, number, number, number];
  const apiHolder = await holder(apiFirst);
  let host = await startHeadless(ws);
  try {
    const first = await usage(host);
    assert.equal(first.workspace, ws.dir);
    const contested = first.ports.find((p) => p.port === apiFirst);
    assert.ok(contested, JSON.stringify(first));
    assert.equal(contested.count, 1);
    assert.deepEqual(contested.services, [{ service: 'api', count: 1 }]);
    assert.equal(contested.causes.fallback, 1);
    assert.equal(contested.holders[0]!.pid, apiHolder.pid);

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${host.url}/dashboard`);
    const apiRow = page.locator(`tr.usage-row[data-port="${apiFirst}"]`);
    await apiRow.waitFor({ timeout: 20_000 });
    // Port, times, who wanted it, who held it (pid and command line) and how often, the cause.
    assert.match(await apiRow.innerText(), new RegExp(`^${apiFirst}\\s+1\\s+api\\s+pid ${apiHolder.pid} \\(\\S*node -e .*listen\\(${apiFirst}.*\\) ×1\\s+fallback ×1\\s+\\d\\d:\\d\\d:\\d\\d$`));

    // A service added while the page is open finds its port taken: the view updates without a reload.
    const webHolder = await holder(webFirst);
    ws.writeConfig({ host: { ports: [ports[0]!] }, services: { api: { kind: 'tcp', preferred: [apiFirst, ports[2]!] }, web: { kind: 'tcp', preferred: [webFirst, webSecond] } } });
    const webRow = page.locator(`tr.usage-row[data-port="${webFirst}"]`);
    await webRow.waitFor({ timeout: 20_000 });
    assert.match(await webRow.innerText(), new RegExp(`web\\s+pid ${webHolder.pid}`));
    fs.mkdirSync(screenshotsDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotsDir, 'dashboard-usage-view.png'), fullPage: true });
    await page.close();

    // Kept across restarts: the next host reads the record and counts the same contest again.
    await host.stop();
    host = await startHeadless(ws);
    const again = await until(async () => {
      const r = await usage(host);
      return r.ports.find((p) => p.port === apiFirst && p.count === 2);
    }, 20_000, 'the api port counted twice across the restart');
    assert.equal(again.causes.fallback, 2);
    assert.equal(again.holders.length, 1, 'one holder, known by its command across restarts');
    assert.equal(again.holders[0]!.count, 2);
  } finally {
    await host.stop();
  }
});
