// Discovery proves itself, tested as a user meets it: a fake host run by another user on the host
// port range (a real HTTP server answering like Manito, without the token) is ignored by `manito
// status`, `manito ports` and the app helper, each saying so; a forged record does not pass the
// HMAC proof; records with a wrong mode or owner and a symlinked state folder give clear errors.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_HOST_PORTS } from '../../protocol/config';
import { createPortConfig } from '../../cli/app/portConfig';
import { exitOf, freePorts, makeWorkspace, startHeadless, type Workspace } from './support/hostProcess';
import { runCli } from './cliSupport';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// Runs as uid 65534 from `/`: it reads nothing of the checkout. Answers /api/health and /api/ports as
// a Manito host serving FAKE_WS would, and /api/whoami with a proof it cannot compute.
const FAKE_HOST = `
const http = require('http');
const port = Number(process.env.FAKE_PORT), ws = process.env.FAKE_WS, pid = Number(process.env.CLAIM_PID || process.pid);
const json = (r, body) => { r.setHeader('content-type', 'application/json'); r.end(JSON.stringify(body)); };
http.createServer((q, r) => {
  const u = new URL(q.url, 'http://x'), now = new Date().toISOString();
  if (u.pathname === '/api/health') return json(r, { success: true, service: 'Manito', status: 'healthy', version: '0.1.0', timestamp: now, uptime: 1,
    host: { pid, port, workspace: ws }, services: { api: { status: 'healthy', port: 6666, reason: 'preferred', lastCheck: null, latencyMs: null, since: now } } });
  if (u.pathname === '/api/ports') return json(r, { success: true, data: { environment: 'development', urls: { api: 'http://localhost:6666' }, api: 6666 } });
  if (u.pathname === '/api/whoami') return json(r, { success: true, data: { pid, port, workspace: ws, nonce: u.searchParams.get('nonce'), proof: '0'.repeat(64) } });
  r.statusCode = 404; r.end('{}');
}).listen(port, '127.0.0.1', () => console.log('fake host up uid=' + process.getuid()));
`;

let ws: Workspace;
let fake: ChildProcess;
let fakePort: number;
const children: ChildProcess[] = [];

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function startFake(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', FAKE_HOST], {
    cwd: '/', env: { PATH: process.env.PATH, FAKE_PORT: String(fakePort), FAKE_WS: ws.dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => { out += c; if (out.includes('fake host up')) resolve(child); });
    child.stderr!.on('data', (c) => { out += c; });
    child.once('exit', (code) => reject(new Error(`fake host exited ${code}: ${out}`)));
  });
}

async function stopFake(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await exitOf(child);
}

before(async () => {
  // The first free port of the host range: where a real host would be looked for (41730 in a fresh network namespace).
  for (const p of DEFAULT_HOST_PORTS) if (await isFree(p)) { fakePort = p; break; }
  assert.ok(fakePort, 'a free port in the host range');
  const [apiPort] = await freePorts(1);
  ws = makeWorkspace({ services: { api: { preferred: [apiPort!] } } });
  fake = await startFake({});
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await stopFake(child);
  ws?.cleanup();
});

test('another user\'s fake host on the host range is ignored by status, ports and the app helper, with a line saying so', { skip: !isRoot && 'needs root to run the fake host as uid 65534' }, async () => {
  const line = new RegExp(`Ignoring a server on 127\\.0\\.0\\.1:${fakePort} that says it is a Manito host \\(pid ${fake.pid}\\): no discovery record of yours names it, so it may be another user's or a fake one`);
  const status = await runCli(['status', ws.dir], { env: ws.env });
  assert.equal(status.code, 1, status.stdout);
  assert.match(status.stderr, line);
  assert.match(status.stderr, /No Manito host found/);
  assert.doesNotMatch(status.stdout, /6666/);

  const ports = await runCli(['ports', '--json', ws.dir], { env: ws.env });
  assert.equal(ports.code, 1);
  assert.equal(JSON.parse(ports.stdout).success, false);
  assert.match(ports.stderr, line);

  const warned: string[] = [];
  const config = await createPortConfig({ env: { MANITO_STATE_DIR: ws.stateDir }, cwd: ws.dir, timeoutMs: 1000, warn: (l) => warned.push(l) }).initialize();
  assert.deepEqual([config.source, config.hostUrl, config.getPort('api')], ['default', null, undefined]);
  assert.ok(warned.some((l) => line.test(l)), warned.join('\n'));
});

test('a forged record naming the fake host (a live pid of ours, a token it does not hold) fails the proof', { skip: !isRoot && 'needs root to run the fake host as uid 65534' }, async () => {
  // A live process of this user for the record's pid; the fake claims that pid too.
  const decoy = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  children.push(decoy);
  await stopFake(fake);
  const forged = await startFake({ CLAIM_PID: String(decoy.pid) });
  try {
    fs.mkdirSync(path.join(ws.stateDir, 'hosts'), { recursive: true, mode: 0o700 });
    fs.chmodSync(ws.stateDir, 0o700);
    const file = path.join(ws.stateDir, 'hosts', `${decoy.pid}.json`);
    fs.writeFileSync(file, JSON.stringify({ version: 1, pid: decoy.pid, port: fakePort, url: `http://127.0.0.1:${fakePort}`, workspace: ws.dir, token: 'a-token-the-fake-does-not-hold', startedAt: new Date().toISOString() }), { mode: 0o600 });
    const status = await runCli(['status', ws.dir], { env: ws.env });
    assert.equal(status.code, 1, status.stdout);
    assert.match(status.stderr, new RegExp(`Ignoring the discovery record of pid ${decoy.pid}: port ${fakePort} \\(pid ${decoy.pid}\\) could not prove it holds the record's token`));
    const warned: string[] = [];
    const config = await createPortConfig({ env: { MANITO_STATE_DIR: ws.stateDir }, cwd: ws.dir, timeoutMs: 1000, warn: (l) => warned.push(l) }).initialize();
    assert.equal(config.source, 'default');
    assert.ok(warned.some((l) => l.includes('could not prove it holds the record\'s token')), warned.join('\n'));
    fs.rmSync(file);
  } finally {
    await stopFake(forged);
    decoy.kill('SIGKILL');
    await exitOf(decoy);
  }
});

test('a real host\'s record with a wrong mode or owner is ignored with a clear line; restored, the host is found', async () => {
  const [hostPort] = await freePorts(1);
  const w = makeWorkspace({ host: { ports: [hostPort!] }, services: {} });
  const host = await startHeadless(w);
  try {
    const file = path.join(w.stateDir, 'hosts', `${host.child.pid}.json`);
    const ok = await runCli(['status', w.dir, '--json'], { env: w.env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).host.pid, host.child.pid);

    fs.chmodSync(file, 0o644);
    const wide = await runCli(['status', w.dir], { env: w.env });
    assert.equal(wide.code, 1, wide.stdout);
    assert.ok(wide.stderr.includes(`Ignoring a discovery record: ${file} has mode 644; a discovery record must be 600`), wide.stderr);
    fs.chmodSync(file, 0o600);

    if (isRoot) {
      fs.chownSync(file, 65534, 65534);
      const foreign = await runCli(['status', w.dir], { env: w.env });
      assert.equal(foreign.code, 1, foreign.stdout);
      assert.ok(foreign.stderr.includes(`Ignoring a discovery record: ${file} is owned by uid 65534, not by you (uid 0)`), foreign.stderr);
      fs.chownSync(file, 0, 0);
    }
    const again = await runCli(['status', w.dir], { env: w.env });
    assert.equal(again.code, 0, again.stderr);
  } finally {
    await host.stop();
    w.cleanup();
  }
});

test('a host refuses a symlinked state folder, writing nothing through it; status says why it trusts no record', async () => {
  const w = makeWorkspace({ services: {} });
  const real = path.join(path.dirname(w.stateDir), 'real-state');
  fs.mkdirSync(real, { mode: 0o700 });
  fs.symlinkSync(real, w.stateDir);
  try {
    const host = await runCli(['host', w.dir], { env: w.env, timeoutMs: 30_000 });
    assert.notEqual(host.code, 0);
    assert.ok(`${host.stdout}${host.stderr}`.includes(`Refusing to use the Manito state folder: ${w.stateDir} is a symbolic link`), `${host.stdout}${host.stderr}`);
    assert.deepEqual(fs.readdirSync(real), []);
    const status = await runCli(['status', w.dir], { env: { ...w.env, MANITO_SCAN_PORTS: '9' } });
    assert.equal(status.code, 1);
    assert.ok(status.stderr.includes(`Not trusting any discovery record: ${w.stateDir} is a symbolic link`), status.stderr);
  } finally {
    w.cleanup();
  }
});
