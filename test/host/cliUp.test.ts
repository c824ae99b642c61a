// `manito up` as a user runs it: a real two-service stack (two node http servers, web dependsOn
// api) gets its ports and env; `manito down` and Ctrl-C each stop it with no process and no lease left.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { descendants, isAlive } from '../../server/launch/processTree';
import { freePorts, makeWorkspace, type Workspace } from './support/hostProcess';
import { hostFiles, leases, runCli, startCli, type CliProcess } from './cliSupport';

const API_JS = `require('http').createServer((q, s) => s.end(JSON.stringify({ name: 'api', port: process.env.PORT })))
  .listen(+process.env.PORT, '127.0.0.1', () => console.log('api ready on ' + process.env.PORT));`;
const WEB_JS = `require('http').createServer((q, s) => s.end(JSON.stringify({ name: 'web', port: process.env.PORT, api: process.env.API_URL, apiPort: process.env.MANITO_API_PORT, webPort: process.env.MANITO_WEB_PORT })))
  .listen(+process.env.PORT, '127.0.0.1', () => console.log('web ready on ' + process.env.PORT));`;

let ws: Workspace | undefined;
let up: CliProcess | undefined;
afterEach(async () => {
  if (up && up.child.exitCode === null && up.child.signalCode === null) {
    up.child.kill('SIGTERM');
    await up.exit;
  }
  ws?.cleanup();
  up = undefined;
  ws = undefined;
});

async function stackWorkspace(): Promise<{ ws: Workspace; hostPort: number; apiPort: number; webPort: number }> {
  const [hostPort, apiPort, webPort] = await freePorts(3);
  const w = makeWorkspace({
    host: { ports: [hostPort!] },
    services: {
      // web is listed first: the start order comes from dependsOn, not from the file.
      web: { preferred: [webPort!], command: 'node web.js', dependsOn: ['api'], env: { API_URL: 'http://localhost:${ports.api}' }, kind: 'http' },
      api: { preferred: [apiPort!], command: 'node api.js', kind: 'http', health: { type: 'http', path: '/', intervalMs: 200 } },
    },
  });
  fs.writeFileSync(path.join(w.dir, 'api.js'), API_JS);
  fs.writeFileSync(path.join(w.dir, 'web.js'), WEB_JS);
  return { ws: w, hostPort: hostPort!, apiPort: apiPort!, webPort: webPort! };
}

async function getJson(port: number): Promise<Record<string, string>> {
  return (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Record<string, string>;
}

/** pids of the stack: every shell `up` started and their descendants. */
function stackPids(upPid: number): number[] {
  return descendants(upPid);
}

test('up starts api then web with PORT, MANITO_<SERVICE>_PORT and ${ports.api}; prefixed output; down leaves nothing behind', async () => {
  const s = await stackWorkspace();
  ws = s.ws;
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/web\s+\| web ready on \d+/);
  const out = up.output();
  assert.match(out, new RegExp(`^api    \\| api ready on ${s.apiPort}$`, 'm'));
  assert.match(out, /^manito \| Started api \(process, pid \d+\): node api\.js$/m);
  assert.ok(out.indexOf('| api ready') < out.indexOf('Started web'), 'web starts after api is up');
  assert.match(out, /Waiting for api to be healthy before starting web/);
  assert.ok(!out.includes('\x1b['), 'no colour when not a TTY');
  assert.doesNotMatch(out, /hard-coded/, 'every port here is read from the environment');
  assert.deepEqual(await getJson(s.webPort), { name: 'web', port: String(s.webPort), api: `http://localhost:${s.apiPort}`, apiPort: String(s.apiPort), webPort: String(s.webPort) });
  assert.deepEqual(await getJson(s.apiPort), { name: 'api', port: String(s.apiPort) });

  const status = await runCli(['status', ws.dir], { env: ws.env });
  assert.match(status.stdout, new RegExp(`^✅ Manito host detected on port ${s.hostPort}$`, 'm'));
  // The URL column gives the named URL: the host `up` runs serves the user's proxy.
  assert.match(status.stdout, new RegExp(`^\\s+api\\s+${s.apiPort}\\s+preferred\\s+healthy\\s+http://api\\.[a-z0-9-]+\\.localhost:\\d+$`, 'm'));
  assert.ok(leases(ws.stateDir).length >= 2, 'leases held while up runs');

  const pids = stackPids(up.child.pid!);
  // Each server exec'd by its shell (the pid up reports is the server's own), and up's reaper.
  const serverPids = [...out.matchAll(/Started (?:api|web) \(process, pid (\d+)\)/g)].map((m) => Number(m[1]));
  assert.equal(serverPids.length, 2, out);
  for (const pid of serverPids) assert.ok(pids.includes(pid), `server pid ${pid} runs under up: ${pids}`);
  assert.ok(pids.length >= 3, `two servers and the reaper under up, got ${pids}`);
  const down = await runCli(['down', ws.dir], { env: ws.env });
  assert.equal(down.code, 0, down.stderr);
  assert.equal(down.stdout.trim(), '✅ Stopped web, api.');
  assert.equal(await up.exit, 0);
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
  assert.deepEqual(leases(ws.stateDir), []);
  assert.deepEqual(hostFiles(ws.stateDir), []);
  await assert.rejects(fetch(`http://127.0.0.1:${s.webPort}/`));
  // Nothing left to stop.
  const again = await runCli(['down', ws.dir], { env: ws.env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /No running Manito host serves/);
});

test('up and status warn, in one line each, about a port the code hard-codes, pointing at manito scan --fix', async () => {
  const s = await stackWorkspace();
  ws = s.ws;
  fs.writeFileSync(path.join(ws.dir, 'legacy.js'), `require('http').createServer(() => {}).listen(3999);\n`);
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/web\s+\| web ready on \d+/);
  await up.waitFor(/hard-coded/); // printed once the start is done, beside its outcome
  const warning = `1 hard-coded port in the code bypasses Manito's allocation (at legacy.js:1:40); run \`manito scan ${ws.dir} --fix\` to make the code read the environment`;
  const lines = up.output().split('\n').filter((line) => line.includes('hard-coded'));
  assert.deepEqual(lines, [`manito | ! ${warning}`]);
  const status = await runCli(['status', ws.dir], { env: ws.env });
  assert.equal(status.code, 0, status.stderr);
  assert.equal(status.stderr, `! ${warning}\n`);
  up.child.kill('SIGTERM');
  assert.equal(await up.exit, 0);
});

test('manito down on a service that exits 143 on SIGTERM (as a dev script does): "stopped", and up exits 0, not 1', async () => {
  const [hostPort, apiPort] = await freePorts(2);
  ws = makeWorkspace({ host: { ports: [hostPort!] }, services: { api: { preferred: [apiPort!], command: 'node api.js', kind: 'http' } } });
  fs.writeFileSync(path.join(ws.dir, 'api.js'), `process.on('SIGTERM', () => process.exit(143));\n${API_JS}`);
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/api\s+\| api ready on \d+/);
  const down = await runCli(['down', ws.dir], { env: ws.env });
  assert.equal(down.code, 0, down.stderr);
  assert.equal(await up.exit, 0, up.output());
  assert.match(up.output(), /^manito \| api stopped$/m);
  assert.doesNotMatch(up.output(), /exited with code 143/);
});

test('a fallback port is printed with why: the holder of the preferred port, as manito status explains it', async (t) => {
  const [hostPort, heldPort, apiPort] = await freePorts(3);
  // A foreign listener (this test process) on api's first preferred port.
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(heldPort, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  ws = makeWorkspace({
    host: { ports: [hostPort!] },
    services: { api: { preferred: [heldPort!, apiPort!], command: 'node api.js', kind: 'http' } },
  });
  fs.writeFileSync(path.join(ws.dir, 'api.js'), API_JS);
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/api\s+\| api ready on \d+/);
  const out = up.output();
  assert.match(out, new RegExp(`^manito \\| ✅ api: port ${apiPort} \\(fallback\\) — ${heldPort} is held by pid ${process.pid} \\(.+\\), assigned ${apiPort}$`, 'm'));
  // The allocation lines keep their place among the host's startup lines.
  assert.ok(out.indexOf('✅ api: port') < out.indexOf('✅ Dynamic port configuration complete'));
  assert.ok(out.indexOf('Initializing dynamic port manager') < out.indexOf('✅ api: port'));
  up.child.kill('SIGTERM');
  assert.equal(await up.exit, 0);
});

test('a service that exits unasked is unhealthy at once, from its exit event, with its exit code', async () => {
  const s = await stackWorkspace();
  ws = s.ws;
  fs.writeFileSync(path.join(ws.dir, 'api.js'), `require('http').createServer((q, s) => { s.end('bye'); if (q.url === '/exit') setImmediate(() => process.exit(3)); })
    .listen(+process.env.PORT, '127.0.0.1', () => console.log('api ready on ' + process.env.PORT));`);
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/web\s+\| web ready on \d+/);
  await fetch(`http://127.0.0.1:${s.apiPort}/exit`).then((r) => r.text());
  await up.waitFor(/api exited with code 3/);
  const status = await runCli(['status', ws.dir, '--json'], { env: ws.env });
  const api = (JSON.parse(status.stdout) as { services: Record<string, { status: string }> }).services.api;
  // Not "stopped": nobody asked it to stop, and no probe decides it (the exit event does).
  assert.equal(api?.status, 'unhealthy', status.stdout);
  up.child.kill('SIGTERM');
  assert.equal(await up.exit, 0);
});

test('Ctrl-C (SIGINT) stops the whole stack, releases every lease and exits 0', async () => {
  const s = await stackWorkspace();
  ws = s.ws;
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/web\s+\| web ready on \d+/);
  const pids = stackPids(up.child.pid!);
  up.child.kill('SIGINT');
  assert.equal(await up.exit, 0);
  assert.match(up.output(), /received SIGINT; stopping the stack/);
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
  assert.deepEqual(leases(ws.stateDir), []);
  assert.deepEqual(hostFiles(ws.stateDir), []);
});

test('SIGTERM while web waits for a dependency that never becomes healthy: the start is cancelled, nothing is left', async () => {
  const [hostPort, apiPort, webPort] = await freePorts(3);
  ws = makeWorkspace({
    host: { ports: [hostPort!] },
    services: {
      api: { preferred: [apiPort!], command: 'sleep 30', kind: 'http', health: { type: 'http', path: '/', intervalMs: 100, timeoutMs: 100 } },
      web: { preferred: [webPort!], command: 'sleep 30', dependsOn: ['api'] },
    },
  });
  up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/Waiting for api/);
  const pids = stackPids(up.child.pid!);
  up.child.kill('SIGTERM');
  assert.equal(await up.exit, 0);
  assert.ok(!up.output().includes('Started web'), 'web never started');
  for (const pid of pids) assert.equal(isAlive(pid), false);
  assert.deepEqual(leases(ws.stateDir), []);
  assert.deepEqual(hostFiles(ws.stateDir), []);
});

test('a manito.json broken from the start: up names each error, starts nothing, holds no port and exits 1', async () => {
  const { ws: w, apiPort } = await stackWorkspace();
  ws = w;
  // A trailing comma inside an unclosed object: the user's own stack, mid-edit.
  fs.writeFileSync(path.join(w.dir, 'manito.json'), `{ "services": { "api": { "preferred": [${apiPort}], "command": "node api.js" }, `);
  const r = await runCli(['up', w.dir], { env: w.env });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`${path.join(w.dir, 'manito.json').replace(/[/.]/g, '\\$&')}:1:\\d+: `));
  assert.match(r.stderr, /manito\.json has \d+ errors?; nothing is served until it is fixed; not starting the stack\./);
  // Each error once, as the host places it: not repeated under the verdict.
  const placed = (r.stdout + r.stderr).split('\n').filter((line) => /manito\.json:\d+:\d+: /.test(line)).map((line) => line.replace(/^.*?manito\.json/, ''));
  const counted = Number(/manito\.json has (\d+) errors?/.exec(r.stderr)![1]);
  assert.equal(placed.length, counted, placed.join('\n'));
  assert.doesNotMatch(r.stdout, /✅ (Started|Skipped)/);
  // Neither the user's services nor the default stack's six were given a port ("✅ server: port 3000 (preferred)").
  assert.doesNotMatch(r.stdout + r.stderr, /: port \d+ \(/);
  assert.deepEqual(leases(w.stateDir), []);
});
