// Issue 18 item 2 in the real workbench: a service with `instances: 2`, started from the Services
// tree's host, shows its row with "2 instances: 2 healthy" and one child row per instance with
// that instance's own port and health. Screenshot: test-results/screenshots/instances-tree.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackSnapshot } from '../../protocol/model';
import { freePort } from './harness/codeServer';
import { hostGet, hostPost, liveHost, until, useEditorSession } from './harness';
import { serviceRow, treeRow, visibleHover } from './harness/servicesView';

const editorSession = useEditorSession();

const WEB_JS = `require('http').createServer((q, s) => s.end('web ' + process.env.MANITO_INSTANCE))
  .listen(+process.env.PORT, '127.0.0.1');`;

test('Services tree: a multi-instance service has a row per instance, each with its port and health', { timeout: 300_000 }, async () => {
  const s = editorSession();
  const webPort = await freePort();
  const folder = s.workspace({
    'web.js': WEB_JS,
    'manito.json': JSON.stringify({
      services: { web: { preferred: [webPort], kind: 'http', command: 'node web.js', instances: 2, health: { type: 'http', path: '/', intervalMs: 200 } } },
    }, null, 2),
  });
  const workbench = await s.openWorkbench(folder);
  try {
    await workbench.openViewContainer('Manito');
    await workbench.view('Services').waitFor({ state: 'visible' });
    const host = await until('the Manito host of this workspace', async () => liveHost(s.stateDir));
    // The tree shows the stack before it starts: the extension's host is connected and rendering, so
    // the change to healthy below is one the tree must follow, not one it may miss while connecting.
    await until('the instance rows before the start', async () => (/stopped/.test(await treeRow(workbench, 'web#2').catch(() => '')) ? true : undefined), 60_000);
    const started = await hostPost<{ success: boolean }>(host, '/api/stack/start');
    assert.equal(started.status, 200);
    const snapshot = await until('both instances healthy', async () => {
      const r = await hostGet<{ data: StackSnapshot }>(host, '/api/snapshot');
      const web = r.data.services.find((v) => v.name === 'web');
      return web?.instances?.healthy === 2 ? r.data : undefined;
    }, 120_000);
    const ports = [1, 2].map((i) => snapshot.services.find((v) => v.name === `web#${i}`)!.port!);

    const front = await until('the web row to count its instances', async () => {
      const text = await treeRow(workbench, 'web').catch(() => '');
      return /2 instances: 2 healthy/.test(text) ? text : undefined;
    }, 60_000);
    assert.match(front, new RegExp(`${webPort}`));
    for (const [i, port] of ports.entries()) {
      const row = await until(`web#${i + 1}'s row`, async () => {
        const text = await treeRow(workbench, `web#${i + 1}`).catch(() => '');
        return /healthy/.test(text) ? text : undefined;
      }, 30_000);
      assert.match(row, new RegExp(`\\b${port}\\b`), `web#${i + 1} shows its own port`);
      // A child of web: one level deeper in the tree.
      const level = Number(await serviceRow(workbench, `web#${i + 1}`).getAttribute('aria-level'));
      assert.equal(level, Number(await serviceRow(workbench, 'web').getAttribute('aria-level')) + 1);
    }
    // The count is at the end of a long row: the row's tooltip says it where a narrow sidebar cuts it off.
    await visibleHover(workbench, /2 instances: 2 healthy/, serviceRow(workbench, 'web'));
    const shot = await workbench.screenshot('instances-tree');
    console.log(`screenshot: ${shot}`);
  } catch (error) {
    await workbench.failureReport('instances-tree-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});
