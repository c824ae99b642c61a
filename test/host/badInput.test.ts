// Issue 13 on the real built host and CLI: a broken manito.json of every kind the issue found
// (null-prototype names, 30,000 deep, 20,000-long chains, a 5 MB garbage file, a timer-overflowing
// interval) is reported with line and column while the last good stack keeps being served, and the
// host's memory stays bounded; HTTP refusals share one JSON shape; a closed stdout ends the CLI with 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { StackSnapshot } from '../../protocol/model';
import { CLI_JS } from './cliSupport';
import { exitOf, freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';

let ws: Workspace;
let host: HostProcess;
let p: number[];

/** Whole-file replace, as editors save: the host never reads half a file. */
function writeAtomically(text: string): void {
  const tmp = path.join(ws.dir, '.manito.json.tmp');
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(ws.dir, 'manito.json'));
}

async function snapshot(): Promise<StackSnapshot> {
  const r = await getJson(`${host.url}/api/snapshot`);
  assert.equal(r.status, 200);
  return r.body.data as StackSnapshot;
}

/** Peak and current resident memory of a process, in MB, from /proc. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function chain(n: number, key: 'inheritFrom' | 'dependsOn'): string {
  const parts = ['{"services":{"s0":{"preferred":[3000]}'];
  for (let i = 1; i < n; i++) parts.push(`,\n"s${i}":{"${key}":${key === 'inheritFrom' ? `"s${i - 1}"` : `["s${i - 1}"]`}}`);
  return `${parts.join('')}}}`;
}

before(async () => {
  p = await freePorts(3);
  ws = makeWorkspace({ environment: 'good', host: { ports: [p[2]!] }, services: { api: { preferred: [p[0]!] }, web: { preferred: [p[1]!], dependsOn: ['api'] } } });
  host = await startHeadless(ws);
});

after(async () => {
  await host?.stop();
  ws?.cleanup();
});

const BROKEN: Array<[string, () => string, RegExp, number?]> = [
  ['a null-prototype object as inheritFrom', () => '{"services":{"api":{"preferred":[3000],\n"inheritFrom":{}}}}', /inheritFrom must be a string/, 2],
  ['an object in dependsOn', () => '{"services":{"api":{"dependsOn":[{}]}}}', /dependsOn\[0\] must be a string/, 1],
  ['__proto__ and constructor as names', () => '{"services":{"__proto__":{"preferred":[3000]},"constructor":{"inheritFrom":"__proto__"}}}', /__proto__/, 1],
  ['nesting 30,000 deep', () => `{"services":{"a":{"env":\n${'['.repeat(30_000)}${']'.repeat(30_000)}}}}`, /Nesting deeper than 64 levels/, 2],
  ['a 20,000-long inheritFrom chain', () => chain(20_000, 'inheritFrom'), /More than 500 entries/],
  ['a 20,000-long dependsOn chain', () => chain(20_000, 'dependsOn'), /More than 500 entries/],
  ['a 5 MB garbage file', () => 'x{]"'.repeat(1_250_000), /is 5000000 bytes; at most 1000000 are read/, 1],
  ['a 1 MB garbage file', () => 'x{]"!'.repeat(199_990), /More than 50000 values in the file/, 1],
  ['four hundred syntax errors', () => `[${'1 '.repeat(400)}]`, /^and 349 more problems$/, 1],
  ['intervalMs of 3,000,000,000', () => '{"services":{"api":{"health":{"type":"tcp",\n"intervalMs":3000000000}}}}', /intervalMs must be from 100 to 3600000, got 3000000000/, 2],
  ['two names for one variable', () => '{"services":{"a b":{},"a/b":{}}}', /both set MANITO_A_B_PORT/, 1],
  ['a cwd outside the workspace', () => '{"services":{"api":{"cwd":"../../.."}}}', /outside the workspace/, 1],
  ['a port of the host\'s own range', () => '{"services":{"api":{"preferred":[41731]}}}', /Manito host's own/, 1],
  ['an unknown ${ports.x}', () => '{"services":{"api":{"command":"run ${ports.nope}"}}}', /names unknown service "nope"/, 1],
];

for (const [what, text, message, line] of BROKEN) {
  test(`${what}: reported with line and column; the last good stack is still served`, async () => {
    writeAtomically(text());
    const snap = await until(async () => {
      const s = await snapshot();
      return s.configErrors.length > 0 && s.configErrors.some((e) => message.test(e.message)) ? s : undefined;
    }, 20_000, `the error for ${what}`);
    const error = snap.configErrors.find((e) => message.test(e.message))!;
    assert.ok(error.line >= 1 && error.column >= 1, JSON.stringify(error));
    if (line !== undefined) assert.equal(error.line, line, JSON.stringify(error));
    assert.ok(snap.configErrors.length <= 51, `${snap.configErrors.length} errors reported`);
    assert.equal(snap.environment, 'good');
    assert.deepEqual(snap.services.map((s) => s.name), ['api', 'web']);
    assert.equal((await getJson(`${host.url}/api/health`)).status, 200);
    const { peak } = memoryMb(host.child.pid!);
    assert.ok(peak < 150, `host peak RSS ${peak.toFixed(1)} MB after ${what}`);
  });
}

test('a fixed file is served again, and the memory the bad files took is bounded', async () => {
  writeAtomically(JSON.stringify({ environment: 'fixed', host: { ports: [p[2]] }, services: { api: { preferred: [p[0]] } } }));
  await until(async () => (await snapshot()).environment === 'fixed', 20_000, 'the fixed config');
  assert.deepEqual((await snapshot()).configErrors, []);
  const { rss, peak } = memoryMb(host.child.pid!);
  assert.ok(peak < 150, `host peak RSS ${peak.toFixed(1)} MB (now ${rss.toFixed(1)} MB)`);
});

test('a host started on a broken file runs and reports it with line and column', async () => {
  const other = makeWorkspace(`{"services":{"api":{"preferred":[3000],\n  "inheritFrom":{}}}}`);
  try {
    const second = await startHeadless(other);
    try {
      const r = await getJson(`${second.url}/api/snapshot`);
      const snap = r.body.data as StackSnapshot;
      assert.equal(snap.configSource, 'none');
      assert.ok(snap.configErrors.some((e) => e.line === 2 && /inheritFrom must be a string/.test(e.message)), JSON.stringify(snap.configErrors));
    } finally {
      await second.stop();
    }
  } finally {
    other.cleanup();
  }
});

function rawRequest(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: host.port, host: '127.0.0.1' });
    let out = '';
    socket.on('data', (c) => { out += c.toString(); });
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.end(text);
  });
}

test('every refusal, a missing Host included, is the same JSON shape', async () => {
  const noHost = await rawRequest('GET /api/ports HTTP/1.1\r\nConnection: close\r\n\r\n');
  assert.match(noHost, /^HTTP\/1\.1 421 /);
  assert.match(noHost, /content-type: application\/json/i);
  const body = JSON.parse(noHost.slice(noHost.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(Object.keys(body), ['success', 'error']);
  assert.equal(body.success, false);
  const shapes = await Promise.all([
    getJson(`${host.url}/api/nope`),
    getJson(`${host.url}/api/ports`, { method: 'DELETE' }),
    getJson(`${host.url}/api/stack/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    getJson(`${host.url}/api/stack/start`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-manito-token': host.token }, body: '{}' }),
    getJson(`${host.url}/api/ports`, { headers: { origin: 'http://evil.example' } }),
  ]);
  assert.deepEqual(shapes.map((r) => r.status), [404, 405, 401, 415, 403]);
  for (const r of shapes) assert.deepEqual(Object.keys(r.body), ['success', 'error']);
});

test('a 1 MB chunked POST with a valid token is answered 413 in JSON, not cut off', async () => {
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method: 'POST', path: '/api/stack/start', headers: { host: `127.0.0.1:${host.port}`, 'content-type': 'application/json', 'x-manito-token': host.token } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  assert.equal(answer.status, 413);
  assert.deepEqual(Object.keys(JSON.parse(answer.body)), ['success', 'error']);
  assert.equal((await getJson(`${host.url}/api/health`)).status, 200);
});

test('a reader that closes the pipe early ends the CLI quietly with exit 0', async () => {
  for (const args of [['--help'], ['status', '--json']]) {
    const child = spawn(process.execPath, [CLI_JS, ...args], { env: ws.env, cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy(); // as `| head -1` does once it has its line
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    const code = await exitOf(child);
    assert.equal(code, 0, `manito ${args.join(' ')}: exit ${code}; stderr: ${stderr}`);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  }
});
