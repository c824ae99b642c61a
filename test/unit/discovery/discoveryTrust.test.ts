// The rules a discovery record must meet before a CLI or app helper talks to its host, on real files
// in a temp state folder: folder and file owner, mode and symlinks, live pids of the user's own, and
// the host's HMAC proof of the record's token (against a real HTTP server).
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { API_WHOAMI_PATH, type DiscoveryRecord } from '../../../protocol/discovery';
import { nodeDiscoveryIo, readDiscovery, whoamiBody, writeDiscoveryFile } from '../../../server/discovery/discoveryFile';
import { ensureStateDir } from '../../../server/discovery/stateFolder';
import { proveHost } from '../../../server/discovery/trustedHosts';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function tempState(): { base: string; env: NodeJS.ProcessEnv; dir: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-trust-'));
  const dir = path.join(base, 'state');
  return { base, dir, env: { MANITO_STATE_DIR: dir } };
}

function record(port: number, pid = process.pid): DiscoveryRecord {
  return { version: 1, pid, port, url: `http://127.0.0.1:${port}`, workspace: '/ws', token: crypto.randomBytes(24).toString('base64url'), startedAt: new Date().toISOString() };
}

test('a host creates its state folder 0700 and its record 0600; both are read back', () => {
  const { base, dir, env } = tempState();
  try {
    const remove = writeDiscoveryFile(record(41730), env);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'hosts')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'hosts', `${process.pid}.json`)).mode & 0o777, 0o600);
    assert.deepEqual(readDiscovery(env).records.map((r) => r.pid), [process.pid]);
    remove();
    assert.deepEqual(readDiscovery(env), { records: [], notes: [] });
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a record with a wider mode is ignored with a line naming the file and the mode', () => {
  const { base, env } = tempState();
  try {
    writeDiscoveryFile(record(41730), env);
    const file = path.join(base, 'state', 'hosts', `${process.pid}.json`);
    fs.chmodSync(file, 0o644);
    const read = readDiscovery(env);
    assert.deepEqual(read.records, []);
    assert.deepEqual(read.notes, [`Ignoring a discovery record: ${file} has mode 644; a discovery record must be 600`]);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a record or a state folder owned by another user is not trusted', { skip: !isRoot && 'needs root to chown' }, () => {
  const { base, dir, env } = tempState();
  try {
    writeDiscoveryFile(record(41730), env);
    const file = path.join(dir, 'hosts', `${process.pid}.json`);
    fs.chownSync(file, 65534, 65534);
    assert.deepEqual(readDiscovery(env).notes, [`Ignoring a discovery record: ${file} is owned by uid 65534, not by you (uid 0)`]);
    fs.chownSync(file, 0, 0);
    fs.chownSync(dir, 65534, 65534);
    const read = readDiscovery(env);
    assert.deepEqual(read.records, []);
    assert.match(read.notes[0]!, new RegExp(`^Not trusting any discovery record: ${dir} is owned by uid 65534, not by you \\(uid 0\\)`));
    assert.throws(() => ensureStateDir(env), new RegExp(`Refusing to use the Manito state folder: ${dir} is owned by uid 65534`));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a symlinked state folder is refused by the host and not trusted by readers; a 0755 one is refused by readers, narrowed by the host', () => {
  const { base, dir, env } = tempState();
  try {
    const real = path.join(base, 'elsewhere');
    fs.mkdirSync(real, { mode: 0o700 });
    fs.symlinkSync(real, dir);
    assert.throws(() => writeDiscoveryFile(record(41730), env), new RegExp(`Refusing to use the Manito state folder: ${dir} is a symbolic link`));
    assert.deepEqual(fs.readdirSync(real), [], 'nothing was written through the link');
    assert.match(readDiscovery(env).notes[0]!, new RegExp(`Not trusting any discovery record: ${dir} is a symbolic link`));

    fs.unlinkSync(dir);
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'hosts'), { mode: 0o700 });
    assert.deepEqual(readDiscovery(env).notes, [`Not trusting any discovery record: ${dir} has mode 755; it must be 700 (run: chmod 700 ${dir})`]);
    writeDiscoveryFile(record(41730), env);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700, 'the host narrows a folder of the user\'s own');
    assert.equal(readDiscovery(env).records.length, 1);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a dead pid is not a host; half-written and malformed records are skipped', async () => {
  const { base, dir, env } = tempState();
  try {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    writeDiscoveryFile(record(41730, child.pid!), env);
    fs.writeFileSync(path.join(dir, 'hosts', '1.json'), '{"version":1', { mode: 0o600 });
    assert.deepEqual(readDiscovery(env), { records: [], notes: [] });
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('proveHost: the real answer proves the record; a wrong token, a wrong pid and a server without /api/whoami do not', async () => {
  const r = record(0);
  let mode: 'real' | 'otherToken' | 'otherPid' | 'none' = 'real';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== API_WHOAMI_PATH || mode === 'none') { res.writeHead(404).end(); return; }
    const body = whoamiBody(mode === 'otherToken' ? 'not-the-token' : r.token, url.searchParams.get('nonce'), { pid: mode === 'otherPid' ? 1 : r.pid, port: r.port, workspace: r.workspace });
    res.writeHead(typeof body === 'string' ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.port = (server.address() as { port: number }).port;
  const io = nodeDiscoveryIo(async (url, ms) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  });
  try {
    assert.equal(await proveHost(r, io, 5000), undefined);
    mode = 'otherToken';
    assert.equal(await proveHost(r, io, 5000), `port ${r.port} (pid ${r.pid}) could not prove it holds the record's token`);
    mode = 'otherPid';
    assert.equal(await proveHost(r, io, 5000), `port ${r.port} answers as pid 1, but the record was written by pid ${r.pid}`);
    mode = 'none';
    assert.match((await proveHost(r, io, 5000))!, /did not answer on port \d+: HTTP 404/);
    assert.equal(whoamiBody(r.token, 'short', r), 'nonce must be 32 to 128 lowercase hex digits');
  } finally {
    server.close();
  }
});
