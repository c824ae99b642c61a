// A `health.type: "command"` check runs only for a service the user started: a headless host
// (trusted, nothing to ask) probes it from its start, yet the command never runs until Start.
// The command writes a marker file, so "did it run" is read from the disk, not from the host.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { ServiceView } from '../../protocol/model';
import { freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';

let ws: Workspace | undefined;
let host: HostProcess | undefined;

after(async () => {
  await host?.stop();
  ws?.cleanup();
});

async function view(name: string): Promise<ServiceView> {
  return ((await getJson(`${host!.url}/api/snapshot`)).body.data.services as ServiceView[]).find((s) => s.name === name)!;
}

test('a command check does not run at host start (headless, trusted); it runs once the user starts the service', async () => {
  const [port, hostPort] = await freePorts(2);
  ws = makeWorkspace();
  const marker = path.join(ws.dir, 'command-check-ran');
  ws.writeConfig({
    host: { ports: [hostPort!] },
    services: {
      job: {
        kind: 'tcp', preferred: [port!],
        command: `node -e "require('net').createServer((s) => s.end()).listen(+process.env.PORT, '127.0.0.1')"`,
        health: { type: 'command', command: `echo ran >> '${marker}'`, intervalMs: 200, timeoutMs: 2000 },
      },
    },
  });
  host = await startHeadless(ws);
  // Several probe rounds at the check's interval, read from the host's own record of them.
  await until(async () => (await view('job')).history.length >= 3, 20_000, 'three probes of job before any start');
  assert.equal(fs.existsSync(marker), false, 'the command ran at host start');
  assert.equal((await view('job')).waitingForStart, true, 'the service says its check waits for a start');

  const started = await getJson(`${host.url}/api/services/job/start`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-manito-token': host.token }, body: '{}' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  await until(async () => (await view('job')).health === 'healthy', 30_000, 'job healthy by its command check');
  assert.ok(fs.existsSync(marker), 'the command check ran once the service was started');
  assert.equal((await view('job')).waitingForStart, undefined);
});
