// A host restarted under a running editor loses no assignment: after SIGKILL, and after a clean
// shutdown, the next host of the workspace gets the same ports, reasons and explanations from the
// leases its predecessor left. What the first host started ended with it (its reaper, or its own
// shutdown), and the next host starts it again on the same port.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { ExitNotification, InitializeRequest, ShutdownRequest } from 'vscode-languageserver-protocol';
import { GetSnapshot, ServiceStarted, ServiceTerminal, StartService, StopService, type HostInitOptions } from '../../protocol/lsp';
import type { ServiceView, StackSnapshot } from '../../protocol/model';
import { isAlive } from '../../server/launch/processTree';
import { exitOf, freePorts, getJson, makeWorkspace, spawnLsp, until, type LspHost, type Workspace } from './support/hostProcess';

let ws: Workspace;
let p: number[];
let foreign: net.Server;
const hosts: LspHost[] = [];
/** Every pid a host reported starting, to prove none outlives its host. */
const startedPids: number[] = [];

/** Plays the extension: spawns the host and shows its services' pseudo-terminals. */
async function startHost(): Promise<LspHost> {
  const lsp = spawnLsp(ws);
  hosts.push(lsp);
  const c = lsp.connection;
  c.onRequest(ServiceTerminal.type, () => undefined);
  c.onNotification(ServiceStarted.type, ({ pid }) => { startedPids.push(pid); });
  const init: HostInitOptions = { workspace: ws.dir, trusted: true };
  await c.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: init });
  await c.sendNotification('initialized', {});
  return lsp;
}

const view = (s: StackSnapshot, name: string): ServiceView => s.services.find((x) => x.name === name)!;
const assignments = (s: StackSnapshot) => s.services.map((x) => ({ name: x.name, port: x.port, reason: x.reason, explanation: x.explanation }));

async function answers(port: number): Promise<boolean> {
  try {
    return (await getJson(`http://127.0.0.1:${port}/`)).status === 200;
  } catch {
    return false;
  }
}

async function startApi(host: LspHost): Promise<StackSnapshot> {
  const started = await host.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(started.ok, true, started.message);
  await until(() => answers(p[1]), 10_000, `api answering on ${p[1]}`);
  return host.connection.sendRequest(GetSnapshot.type);
}

before(async () => {
  p = await freePorts(5);
  // A foreign listener on api's first preferred port, so its assignment carries a real explanation.
  foreign = net.createServer().listen(p[0], '127.0.0.1');
  await new Promise((r) => foreign.once('listening', r));
  ws = makeWorkspace({
    host: { ports: [p[4]] },
    services: {
      api: {
        preferred: [p[0], p[1]], kind: 'http',
        command: `node -e "require('http').createServer((q,r)=>r.end('ok')).listen(+process.env.PORT,'127.0.0.1')"`,
        health: { type: 'http', path: '/', expectStatus: 200, intervalMs: 200 },
      },
      live: { kind: 'websocket', inheritFrom: 'api' },
      worker: { preferred: [p[2]], kind: 'tcp' },
    },
  });
});

after(async () => {
  for (const pid of startedPids) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  for (const h of hosts) await h.close();
  foreign?.close();
  ws?.cleanup();
});

test('SIGKILL: what the host ran ends with it, and the next host takes over every assignment', { timeout: 60_000 }, async () => {
  const first = await startHost();
  const before = await startApi(first);
  assert.equal(view(before, 'api').port, p[1]);
  assert.match(view(before, 'api').explanation, new RegExp(`${p[0]} is held by`));
  const pid = view(before, 'api').pid!;
  assert.ok(startedPids.includes(pid));

  first.child.kill('SIGKILL');
  await exitOf(first.child);
  // The reaper ends the service: an editor whose host died must not leave it running unowned.
  await until(async () => !isAlive(pid) && !(await answers(p[1])), 10_000, `api (pid ${pid}) to end with its host`);

  const second = await startHost();
  const after = await second.connection.sendRequest(GetSnapshot.type);
  assert.notEqual(after.host.pid, before.host.pid);
  assert.deepEqual(assignments(after), assignments(before));
  assert.equal(view(after, 'api').runner, null, 'nothing runs until asked');
  // Started again, on the same port.
  assert.equal(view(await startApi(second), 'api').port, p[1]);
  const stopped = await second.connection.sendRequest(StopService.type, { service: 'api' });
  assert.equal(stopped.ok, true, stopped.message);
  await until(async () => !(await answers(p[1])), 10_000, 'api to stop answering');
  await second.close();
});

test('a clean shutdown ends what the host ran; the next host keeps the ports', { timeout: 60_000 }, async () => {
  const first = await startHost();
  const before = await startApi(first);
  const pid = view(before, 'api').pid!;

  await first.connection.sendRequest(ShutdownRequest.type);
  await first.connection.sendNotification(ExitNotification.type);
  assert.equal(await exitOf(first.child), 0);
  await until(async () => !isAlive(pid) && !(await answers(p[1])), 10_000, `api (pid ${pid}) to end with its host`);

  // Free api's first preferred port: still the next host keeps the port its lease names.
  await new Promise((r) => foreign.close(r));
  const second = await startHost();
  const after = await second.connection.sendRequest(GetSnapshot.type);
  assert.deepEqual(assignments(after), assignments(before));
  await second.close();
});
