// The built host over stdio JSON-RPC, as the extension talks to it: initialize with
// HostInitOptions, the custom requests, pushed notifications, manito.json diagnostics with line
// and column while the last good config keeps being served, services the host spawns shown in the
// client's pseudo-terminals (their output and end fed over the connection), and a clean shutdown that removes the discovery file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest, ExitNotification, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import {
  EventOccurred, GetEvents, GetHealth, GetPorts, GetSnapshot, HostStatus, ServiceEnded, ServiceOutput, ServiceStarted, ServiceTerminal, SnapshotChanged,
  StartService, StopService, type HostInitOptions, type ServiceEndedParams, type HostStatusParams,
} from '../../protocol/lsp';
import type { ManitoEvent, StackSnapshot } from '../../protocol/model';
import { exitOf, freePorts, getJson, makeWorkspace, spawnLsp, until, type LspHost, type Workspace } from './support/hostProcess';

let ws: Workspace;
let lsp: LspHost;
let p: number[];
const diagnostics: PublishDiagnosticsParams[] = [];
const snapshots: StackSnapshot[] = [];
const statuses: HostStatusParams[] = [];
const events: ManitoEvent[] = [];
/** The editor's pseudo-terminals: what the host asked to show, the pid it started, its output and end. */
const terminals = new Map<string, { name: string; pid?: number; output: string; ended?: ServiceEndedParams }>();
const waiters: Array<() => void> = [];
const notify = () => { for (const w of waiters.splice(0)) w(); };

function findLast<T>(xs: T[], pred: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i])) return xs[i];
  return undefined;
}

function next<T>(pick: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\nhost stderr:\n${lsp.stderr()}`)), timeoutMs);
    const check = () => {
      const v = pick();
      if (v !== undefined) {
        clearTimeout(timer);
        resolve(v);
      } else waiters.push(check);
    };
    check();
  });
}

const goodConfig = () => ({
  host: { ports: [p[5]] },
  services: {
    api: {
      preferred: [p[0]], kind: 'http' as const,
      command: `node -e "require('http').createServer((q,r)=>r.end('ok')).listen(+process.env.PORT,'127.0.0.1',()=>console.log('api up on '+process.env.PORT))"`,
      health: { type: 'http' as const, path: '/', expectStatus: 200, intervalMs: 200 },
    },
    worker: { preferred: [p[1]], kind: 'tcp' as const, dependsOn: ['api'] },
  },
});

before(async () => {
  p = await freePorts(6);
  ws = makeWorkspace(goodConfig());
  lsp = spawnLsp(ws);
  const c = lsp.connection;
  c.onNotification(PublishDiagnosticsNotification.type, (d) => { diagnostics.push(d); notify(); });
  c.onNotification(SnapshotChanged.type, (s) => { snapshots.push(s); notify(); });
  c.onNotification(HostStatus.type, (s) => { statuses.push(s); notify(); });
  c.onNotification(EventOccurred.type, (e) => { events.push(e); notify(); });
  c.onNotification('window/logMessage', () => undefined);
  // Play the extension's part: a pseudo-terminal per service, fed by the host that spawns it.
  c.onRequest(ServiceTerminal.type, (params) => { terminals.set(params.service, { name: params.name, output: '' }); notify(); });
  c.onNotification(ServiceStarted.type, ({ service, pid }) => { const t = terminals.get(service); if (t) t.pid = pid; notify(); });
  c.onNotification(ServiceOutput.type, ({ service, data }) => { const t = terminals.get(service); if (t) t.output += data; notify(); });
  c.onNotification(ServiceEnded.type, (params) => { const t = terminals.get(params.service); if (t) t.ended = params; notify(); });
  const init: HostInitOptions = { workspace: ws.dir, trusted: true };
  const result = await c.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: init });
  assert.equal(result.serverInfo?.name, 'Manito');
  await c.sendNotification('initialized', {});
});

after(async () => {
  for (const t of terminals.values()) if (t.pid && !t.ended) try { process.kill(-t.pid, 'SIGKILL'); } catch { /* gone */ }
  await lsp?.close();
  ws?.cleanup();
});

test('GetPorts and GetHealth answer the same bodies as the HTTP API', async () => {
  // The named URLs come with the proxy role, decided just after the API listens.
  const ports = await until(async () => {
    const body = await lsp.connection.sendRequest(GetPorts.type);
    return body.namedUrls ? body : undefined;
  }, 20_000, 'GetPorts to carry the named URLs');
  assert.deepEqual(ports.data, { api: p[0], worker: p[1], environment: 'development', urls: { api: `http://localhost:${p[0]}`, worker: `tcp://localhost:${p[1]}` } });
  assert.equal(ports.success, true);
  // Only the web service has a name; the TCP worker keeps its port's URL.
  assert.deepEqual(Object.keys(ports.namedUrls!), ['api']);
  assert.match(ports.namedUrls!.api!, /^http:\/\/api\.[a-z0-9-]+\.localhost:\d+$/);
  const snap = await lsp.connection.sendRequest(GetSnapshot.type);
  assert.equal(snap.host.port, p[5]);
  assert.equal(snap.host.trusted, true);
  const http = await getJson(`${snap.host.url}/api/ports`);
  assert.deepEqual(http.body, ports);
  const health = await lsp.connection.sendRequest(GetHealth.type);
  assert.equal(health.service, 'Manito');
  assert.deepEqual(Object.keys(health.services!).sort(), ['api', 'websocket', 'worker']);
  // No diagnostics for a valid file (an empty list clears any).
  const d = await next(() => diagnostics.find((x) => x.uri.endsWith('/manito.json')), 'initial diagnostics');
  assert.deepEqual(d.diagnostics, []);
});

test('StartService: the host spawns the service and feeds its pseudo-terminal; it becomes healthy; StopService ends it', async () => {
  const started = await lsp.connection.sendRequest(StartService.type, { service: 'api' });
  assert.equal(started.ok, true, started.message);
  assert.equal(terminals.get('api')?.name, 'api', 'the editor was asked for a terminal named after the service');
  const healthy = await next(() => findLast(snapshots, (s: StackSnapshot) => s.services.find((x) => x.name === 'api')?.health === 'healthy'), 'api healthy');
  const api = healthy.services.find((x) => x.name === 'api')!;
  assert.equal(api.runner, 'process');
  await next(() => (terminals.get('api')!.output.includes(`api up on ${api.port}`) ? true : undefined), 'the service\'s own output in its terminal');
  assert.ok(api.pid && api.pid === terminals.get('api')!.pid, `the terminal shows the service's own pid: ${api.pid} vs ${terminals.get('api')!.pid}`);
  assert.ok(events.some((e) => e.type === 'started' && e.service === 'api'));
  assert.ok(events.some((e) => e.type === 'health' && e.service === 'api' && e.to === 'healthy'));
  assert.ok(statuses.length > 0);
  const stopped = await lsp.connection.sendRequest(StopService.type, { service: 'api' });
  assert.equal(stopped.ok, true, stopped.message);
  await next(() => findLast(snapshots, (s: StackSnapshot) => s.services.find((x) => x.name === 'api')?.health === 'stopped' && s.services.find((x) => x.name === 'api')?.runner === null), 'api stopped');
  const ended = await next(() => terminals.get('api')?.ended, 'the terminal told that api ended');
  assert.equal(ended.pid, api.pid);
});

test('GetEvents answers the host\'s recent events over the protocol, the same as /api/events', async () => {
  const recent = await lsp.connection.sendRequest(GetEvents.type, { limit: 200 });
  assert.ok(recent.some((e) => e.type === 'assigned' && e.service === 'api'), JSON.stringify(recent.map((e) => e.type)));
  const ids = recent.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'oldest first');
  const snap = await lsp.connection.sendRequest(GetSnapshot.type);
  const http = await getJson(`${snap.host.url}/api/events?limit=200`);
  const overHttp = (http.body as { data: Array<{ id: number }> }).data.map((e) => e.id);
  assert.deepEqual(overHttp.filter((id) => id <= ids.at(-1)!), ids);
  assert.equal((await lsp.connection.sendRequest(GetEvents.type, { limit: 2 })).length, 2);
});

test('a syntax error is a diagnostic with line and column; the last good config is still served', async () => {
  const before = diagnostics.length;
  const text = JSON.stringify(goodConfig(), null, 2).replace('"preferred": [\n        ' + p[1], '"preferred": [\n        ' + p[1] + ',,');
  fs.writeFileSync(path.join(ws.dir, 'manito.json'), `// comments are fine\n${text}`);
  const d = await next(() => diagnostics.slice(before).find((x) => x.diagnostics.length > 0), 'syntax diagnostics');
  const lines = fs.readFileSync(path.join(ws.dir, 'manito.json'), 'utf8').split('\n');
  const badLine = lines.findIndex((l) => l.includes(',,'));
  assert.equal(d.diagnostics[0].range.start.line, badLine);
  assert.equal(d.diagnostics[0].range.start.character, lines[badLine].indexOf(',,') + 1);
  assert.match(d.diagnostics[0].message, /Syntax error/);
  const snap = await lsp.connection.sendRequest(GetSnapshot.type);
  assert.equal(snap.configErrors.length, 1);
  assert.equal(snap.configErrors[0].line, badLine + 1);
  assert.equal(snap.configErrors[0].column, lines[badLine].indexOf(',,') + 2);
  assert.deepEqual(snap.services.map((s) => s.name), ['api', 'worker']);
  assert.equal((await lsp.connection.sendRequest(GetPorts.type)).data.api, p[0]);
  await next(() => statuses.find((s) => s.health === 'warning' && /manito\.json has 1 error/.test(s.message)), 'warning status');
});

test('a dependsOn cycle points at the offending value; fixing the file clears the diagnostics', async () => {
  const before = diagnostics.length;
  const cyclic = goodConfig();
  (cyclic.services.api as { dependsOn?: string[] }).dependsOn = ['worker'];
  ws.writeConfig(cyclic);
  const d = await next(() => diagnostics.slice(before).find((x) => x.diagnostics.some((y) => /cycle/.test(y.message))), 'cycle diagnostics');
  const lines = fs.readFileSync(path.join(ws.dir, 'manito.json'), 'utf8').split('\n');
  const diag = d.diagnostics.find((y) => /cycle/.test(y.message))!;
  assert.match(lines[diag.range.start.line], /dependsOn|"worker"|"api"/);
  assert.equal((await lsp.connection.sendRequest(GetPorts.type)).data.api, p[0]);
  const n = diagnostics.length;
  ws.writeConfig({ ...goodConfig(), environment: 'fixed' });
  const cleared = await next(() => diagnostics.slice(n).find((x) => x.diagnostics.length === 0), 'cleared diagnostics');
  assert.deepEqual(cleared.diagnostics, []);
  await next(() => findLast(snapshots, (s: StackSnapshot) => s.environment === 'fixed' && s.configErrors.length === 0), 'fixed snapshot');
});

test('shutdown + exit: the host stops and removes its discovery file', async () => {
  const file = path.join(ws.stateDir, 'hosts', `${lsp.child.pid}.json`);
  assert.ok(fs.existsSync(file));
  await lsp.connection.sendRequest(ShutdownRequest.type);
  assert.equal(fs.existsSync(file), false);
  await lsp.connection.sendNotification(ExitNotification.type);
  assert.equal(await exitOf(lsp.child), 0);
});
