// A host restarted under a running editor loses no assignment: after SIGKILL, and after a clean
// shutdown, the next host of the workspace gets the same ports, reasons and explanations from the
// leases its predecessor left, re-adopts the service still running in the editor's "terminal"
// (HostInitOptions.terminals), and can stop it. A clean shutdown leaves terminal-run services running.
// With no lease left at all, the port the terminal's processes listen on is still recognised as ours.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ExitNotification, InitializeRequest, ShutdownRequest } from 'vscode-languageserver-protocol';
import { GetSnapshot, KillTerminal, LaunchTerminal, StartService, StopService, TerminalExited, type HostInitOptions } from '../../protocol/lsp';
import type { ServiceView, StackSnapshot } from '../../protocol/model';
import { exitOf, freePorts, getJson, makeWorkspace, spawnLsp, until, type LspHost, type Workspace } from './support/hostProcess';

let ws: Workspace;
let p: number[];
let foreign: net.Server;
/** The editor's terminals: they outlive every host. */
const terminals = new Map<string, ChildProcess>();
const hosts: LspHost[] = [];
/** A terminal's end is told to whichever host runs now, as the extension does. */
function tellExited(service: string, code: number | null): void {
  const current = hosts[hosts.length - 1];
  if (current.child.exitCode !== null || current.child.signalCode !== null) return;
  void current.connection.sendNotification(TerminalExited.type, { service, ...(code !== null ? { exitCode: code } : {}) }).catch(() => undefined);
}

let launches = 0;

/**
 * Plays the extension: spawns the host, runs LaunchTerminal in a detached child, initializes with
 * the open terminals (or with none: an extension host that was reloaded and lost track of them).
 */
async function startHost(options: { tellTerminals?: boolean; workspace?: Workspace } = {}): Promise<LspHost> {
  const w = options.workspace ?? ws;
  const lsp = spawnLsp(w);
  hosts.push(lsp);
  const c = lsp.connection;
  c.onRequest(LaunchTerminal.type, (params) => {
    launches++;
    const child = spawn(params.command, { shell: true, cwd: params.cwd, env: { ...process.env, ...params.env }, stdio: 'ignore', detached: true });
    terminals.set(params.service, child);
    child.on('exit', (code) => tellExited(params.service, code));
    return { pid: child.pid ?? null };
  });
  c.onRequest(KillTerminal.type, (params) => { terminals.get(params.service)?.kill('SIGKILL'); });
  const open = [...terminals].filter(([, t]) => t.exitCode === null && t.signalCode === null).map(([service, t]) => ({ service, pid: t.pid ?? null }));
  const init: HostInitOptions = { workspace: w.dir, trusted: true, terminals: options.tellTerminals === false ? [] : open };
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
  for (const t of terminals.values()) if (t.exitCode === null && t.signalCode === null) try { process.kill(-t.pid!, 'SIGKILL'); } catch { /* gone */ }
  for (const h of hosts) await h.close();
  foreign?.close();
  ws?.cleanup();
});

test('SIGKILL: the next host takes over every assignment and re-adopts the service still running in its terminal', { timeout: 60_000 }, async () => {
  const first = await startHost();
  const started = await first.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(started.ok, true, started.message);
  await until(() => answers(p[1]), 10_000, `api answering on ${p[1]}`);
  const before = await first.connection.sendRequest(GetSnapshot.type);
  assert.equal(view(before, 'api').port, p[1]);
  assert.match(view(before, 'api').explanation, new RegExp(`${p[0]} is held by`));

  first.child.kill('SIGKILL');
  await exitOf(first.child);
  const second = await startHost();
  const after = await second.connection.sendRequest(GetSnapshot.type);
  assert.notEqual(after.host.pid, before.host.pid);
  assert.deepEqual(assignments(after), assignments(before));
  assert.equal(view(after, 'api').runner, 'terminal', 'the terminal is ours again, not "detected"');
  assert.equal(view(after, 'api').pid, terminals.get('api')!.pid);
  assert.equal(await answers(p[1]), true, 'the service never stopped');

  // Ours to stop: the host kills the tree and closes the terminal.
  const stopped = await second.connection.sendRequest(StopService.type, { service: 'api' });
  assert.equal(stopped.ok, true, stopped.message);
  await until(async () => !(await answers(p[1])), 10_000, 'api to stop answering');
  await second.close();
});

test('a clean shutdown leaves terminal-run services running; the next host keeps their ports', { timeout: 60_000 }, async () => {
  const first = await startHost();
  const started = await first.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(started.ok, true, started.message);
  await until(() => answers(p[1]), 10_000, `api answering on ${p[1]}`);
  const before = await first.connection.sendRequest(GetSnapshot.type);

  await first.connection.sendRequest(ShutdownRequest.type);
  await first.connection.sendNotification(ExitNotification.type);
  assert.equal(await exitOf(first.child), 0);
  assert.equal(await answers(p[1]), true, 'the terminal-run service outlived the host');

  // Free api's first preferred port: still the next host keeps the port its terminal listens on.
  await new Promise((r) => foreign.close(r));
  const second = await startHost();
  const after = await second.connection.sendRequest(GetSnapshot.type);
  assert.deepEqual(assignments(after), assignments(before));
  assert.equal(view(after, 'api').runner, 'terminal');
  const stopped = await second.connection.sendRequest(StopService.type, { service: 'api' });
  assert.equal(stopped.ok, true, stopped.message);
  await until(async () => !(await answers(p[1])), 10_000, 'api to stop answering');
  await second.close();
});

test('no lease left: the port the terminal\'s processes listen on is ours, not foreign', { timeout: 60_000 }, async () => {
  // The previous host (killed) left api's lease on p[1]; p[0] is free since the foreign listener went.
  const first = await startHost();
  const started = await first.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(started.ok, true, started.message);
  assert.equal(view(await first.connection.sendRequest(GetSnapshot.type), 'api').port, p[1]);
  await until(() => answers(p[1]), 10_000, `api answering on ${p[1]}`);

  first.child.kill('SIGKILL');
  await exitOf(first.child);
  fs.rmSync(path.join(ws.stateDir, 'leases.json'), { force: true });
  // A fresh allocation would give api p[0]; its terminal's process listens on p[1].
  const second = await startHost();
  const api = view(await second.connection.sendRequest(GetSnapshot.type), 'api');
  assert.equal(api.port, p[1], api.explanation);
  assert.equal(api.runner, 'terminal');
  assert.match(api.explanation, /still running in its terminal/);
  const stopped = await second.connection.sendRequest(StopService.type, { service: 'api' });
  assert.equal(stopped.ok, true, stopped.message);
  await until(async () => !(await answers(p[1])), 10_000, 'api to stop answering');
});

test('window reload: a host not told about a running terminal finds the service on its port, adopts it and never starts it twice', { timeout: 60_000 }, async (t) => {
  // Its own workspace and state: the hosts of the tests above are still alive until after().
  const [webPort, hostPort] = await freePorts(2);
  const own = makeWorkspace({
    host: { ports: [hostPort] },
    services: {
      api: {
        preferred: [webPort], kind: 'http',
        command: `node -e "require('http').createServer((q,r)=>r.end('ok')).listen(+process.env.PORT,'127.0.0.1')"`,
        health: { type: 'http', path: '/', expectStatus: 200, intervalMs: 200 },
      },
    },
  });
  t.after(() => own.cleanup());
  const first = await startHost({ workspace: own });
  const started = await first.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(started.ok, true, started.message);
  const port = view(await first.connection.sendRequest(GetSnapshot.type), 'api').port!;
  await until(() => answers(port), 10_000, `api answering on ${port}`);

  // A reload: the old host hands over at shutdown, the new extension host knows no terminal.
  await first.connection.sendRequest(ShutdownRequest.type);
  await first.connection.sendNotification(ExitNotification.type);
  await exitOf(first.child);
  const launchesBefore = launches;
  const second = await startHost({ tellTerminals: false, workspace: own });
  const after = await second.connection.sendRequest(GetSnapshot.type);
  assert.equal(view(after, 'api').port, port, `the handed-over port is kept: ${JSON.stringify(view(after, 'api'))}\n${second.stderr()}`);
  // Proven ours by the record of the terminal's shell the first host kept: Manito's again, so Stop works.
  assert.equal(view(after, 'api').runner, 'process', 'the listener on its port is the service itself');
  assert.equal(view(after, 'api').reason, 'detected_running');
  assert.match(view(after, 'api').explanation, /already running/);

  const again = await second.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(again.ok, true, again.message);
  assert.equal(launches, launchesBefore, `no second copy was launched: ${again.message}`);
  assert.equal(await answers(port), true);
  // Stop works across the restart: the proven process is stopped, its port answers no more.
  const stopped = await second.connection.sendRequest(StopService.type, { service: 'api' });
  assert.equal(stopped.ok, true, stopped.message);
  await until(async () => !(await answers(port)), 10_000, 'api to stop answering');
  await second.close();
  const terminal = terminals.get('api');
  if (terminal && terminal.exitCode === null) process.kill(-terminal.pid!, 'SIGKILL');
});
