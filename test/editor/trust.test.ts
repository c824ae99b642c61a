// Workspace trust in the real workbench, as a user meets it: VS Code asks whether to trust the
// folder, the user browses it in restricted mode, runs "Manito: Start Stack" from the palette,
// and is told why nothing starts; no terminal opens, the service's command never runs, and its
// port is still allocated and shown in the status bar.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ErrorResponse } from '../../protocol/http';
import type { ManitoEvent, StackSnapshot } from '../../protocol/model';
import { freePort } from './harness/codeServer';
import { hostGet, hostPost, liveHost, portAnswers, useEditorSession, until } from './harness';

const editorSession = useEditorSession({ workspaceTrust: true });

test('in restricted mode Start Stack runs nothing, says why, and the port is still allocated and shown', { timeout: 300_000 }, async () => {
  const s = editorSession();
  const preferred = await freePort();
  // Were the command to run, it would leave ran.txt behind and listen on the service's port.
  const command = `node -e "require('fs').writeFileSync('ran.txt','x'); require('http').createServer((q, r) => r.end('ran')).listen(process.env.PORT)"`;
  const folder = s.workspace({
    'manito.json': JSON.stringify({
      services: { web: { preferred: [preferred], kind: 'http', command, health: { type: 'tcp', intervalMs: 300 } } },
    }, null, 2),
  });
  const marker = join(folder, 'ran.txt');

  const workbench = await s.openWorkbench(folder);
  try {
    await workbench.answerTrustDialog(false);
    await workbench.waitForStatusBarItem(/^Restricted Mode$/);

    // Ports are allocated and shown without trust.
    const item = await workbench.waitForStatusBarItem(new RegExp(`^web ${preferred}$`));
    assert.match(item.id, /^manito\.manito\./, `the port indicator is not Manito's: ${JSON.stringify(item)}`);
    const host = await until('the host to write its discovery file', async () => liveHost(s.stateDir));
    const ports = await hostGet<{ data: Record<string, unknown> }>(host, '/api/ports');
    assert.equal(ports.data.web, preferred);

    const startedAt = new Date().toISOString();
    await workbench.runCommand('Manito: Start Stack');
    const message = await workbench.waitForNotification(/Manito cannot start the stack/);
    assert.match(message, /not trusted/);
    assert.match(message, /no command from manito\.json runs/);
    assert.match(message, /Ports are still allocated and shown/);
    const shot = await workbench.screenshot('trust-restricted-start-stack');
    console.log(`screenshot: ${shot}; notification: ${message}`);

    // The host refuses too, whoever asks (the dashboard, the CLI): trust is enforced where commands run.
    const refused = await hostPost<ErrorResponse>(host, '/api/stack/start');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /not trusted/);

    // Had the command run, its listener would be up well before the health monitor's next probes:
    // wait until two probes after Start Stack have found the port closed.
    const probedAfter = await until('the health monitor to probe web twice after Start Stack', async () => {
      const { data } = await hostGet<{ data: StackSnapshot }>(host, '/api/snapshot');
      const web = data.services.find((x) => x.name === 'web');
      const samples = web?.history.filter((h) => h.at > startedAt) ?? [];
      return samples.length >= 2 ? web : undefined;
    }, 30_000);
    assert.ok(probedAfter.history.filter((h) => h.at > startedAt).every((h) => !h.ok), JSON.stringify(probedAfter.history));
    assert.equal(probedAfter.runner, null);
    assert.notEqual(probedAfter.health, 'healthy');
    assert.equal(await portAnswers(preferred), false, `something answers on ${preferred}`);
    assert.equal(existsSync(marker), false, 'the command from manito.json ran: ran.txt exists');

    const { data: events } = await hostGet<{ data: ManitoEvent[] }>(host, '/api/events?limit=200');
    assert.deepEqual(events.filter((e) => e.type === 'started'), [], 'no service started');
    assert.deepEqual(await workbench.terminalNames(), [], 'no terminal was opened');
    // The same listing does see a terminal once one is open, so the empty list above means none.
    await workbench.runCommand('Terminal: Create New Terminal');
    const names = await until('the new shell terminal to be listed', async () => {
      const open = await workbench.terminalNames();
      return open.length > 0 ? open : undefined;
    });
    console.log(`terminals after creating one: ${JSON.stringify(names)}`);
    assert.equal(names.length, 1, JSON.stringify(names));
    assert.doesNotMatch(names[0], /^web$/);

    // The status bar still shows the allocation after the refusal.
    await workbench.waitForStatusBarItem(new RegExp(`^web ${preferred}$`));
  } catch (error) {
    await workbench.failureReport('trust-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});
