// The kernel's listener table through the native reader (native/listeners.c), on real sockets:
// it sees a listener on every address of either family and forgets it once closed, names the same
// socket /proc does, answers a probe's scan of many ports, and can be turned off. Linux only: it
// does not exist elsewhere, where the probe binds (portProbe.test.ts covers that path).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { createPortProbe } from '../../../server/engine/portProbe';
import { listenerTable, listeningPorts, NATIVE_FILE, NativeTable, portCheckMethod } from '../../../server/proc/listenerTable';
import { readTcpTables } from '../../../server/proc/tcpTable';
import { close, foreignListener, freeRange, listen, tempStateDir } from './engineTestKit';

const root = path.join(__dirname, '..', '..', '..');
const linux = process.platform === 'linux';
const hasIpv6Loopback = Object.values(os.networkInterfaces()).flat().some((i) => i?.address === '::1');
let B = 0;
before(async () => {
  tempStateDir();
  B = await freeRange(70);
});

test('the reader is built and in use on Linux (test/run.mjs builds it)', { skip: !linux && 'Linux only' }, () => {
  assert.ok(listenerTable(), `no listener table: ${portCheckMethod()}`);
  assert.match(portCheckMethod(), new RegExp(`listener table .*${NATIVE_FILE.replace(/\./g, '\\.')}`));
});

test('a listener on any address of either family is seen, and forgotten once closed', { skip: !linux && 'Linux only' }, async () => {
  const hosts = ['127.0.0.1', '0.0.0.0', ...(hasIpv6Loopback ? ['::1', '::'] : [])];
  const servers = await Promise.all(hosts.map((host, i) => listen(B + i, host)));
  const table = listenerTable()!;
  try {
    const now = table.listening()!;
    hosts.forEach((host, i) => assert.ok(now.has(B + i), `a listener on ${host}:${B + i} is not in the table`));
    assert.equal(now.has(B + hosts.length), false, 'a port nobody listens on');
    const ours = new Set(now.ports().filter((p) => p >= B && p < B + 70));
    assert.deepEqual([...ours].sort(), hosts.map((_, i) => B + i));
    assert.deepEqual(new Set([...listeningPorts()].filter((p) => ours.has(p))), ours);
  } finally {
    await Promise.all(servers.map(close));
  }
  const after = table.listening()!;
  hosts.forEach((host, i) => assert.equal(after.has(B + i), false, `${host}:${B + i} still listed after close`));
});

test('inodes are the sockets /proc lists for the port, so the holder is named by pid', { skip: !linux && 'Linux only' }, async () => {
  const child = await foreignListener(B + 10, '0.0.0.0');
  try {
    const fromProc = (readTcpTables() ?? []).filter((s) => s.port === B + 10 && s.state === 'listen').map((s) => s.inode);
    assert.equal(fromProc.length, 1);
    assert.deepEqual(listenerTable()!.inodes(B + 10), fromProc);
    const holder = await createPortProbe().holder(B + 10);
    assert.equal(holder?.pid, child.pid);
  } finally {
    await child.stop();
  }
  assert.deepEqual(listenerTable()!.inodes(B + 10), []);
  assert.equal(await createPortProbe().holder(B + 10), null);
});

test('a scan of a few ports binds them; a scan of many reads the table', { skip: !linux && 'Linux only' }, async () => {
  // A socket bound without listening tells the two apart: a bind refuses its port, while the
  // table (listeners only) does not list it.
  const port = B + 20;
  const bound = spawn('python3', ['-c', `import socket,sys\ns=socket.socket(socket.AF_INET6)\ns.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,0)\ns.bind(('::',${port}))\nprint('up',flush=True)\nsys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      bound.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
      bound.stdout!.once('data', () => resolve());
    });
    const few = await createPortProbe().scan();
    await few.prefetch!([port, port + 1]);
    assert.equal(few.busyNow!(port), true, 'a bind refuses a bound port');
    assert.equal(few.busyNow!(port + 1), false);

    const many = await createPortProbe().scan();
    const fifty = Array.from({ length: 50 }, (_, i) => port - 10 + i);
    await many.prefetch!(fifty);
    assert.equal(many.busyNow!(port), false, 'the table lists listeners only');
    assert.equal(await many.isBusy(port + 1), false);

    const bindsOnly = await createPortProbe({ listeners: null }).scan();
    await bindsOnly.prefetch!(fifty);
    assert.equal(bindsOnly.busyNow!(port), true, 'without the table every port is bound');
    // Neither the table nor /proc/net/tcp lists a socket that is only bound: taken, by an unknown process.
    assert.deepEqual(await createPortProbe().holder(port), {});
  } finally {
    bound.kill();
  }
});

test('for an unprivileged user a port below ip_unprivileged_port_start stays busy when the table answers', { skip: !linux && 'Linux only' }, (t) => {
  const start = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  if (!(start > 80)) return t.skip(`ip_unprivileged_port_start is ${start}: anyone may bind 80`);
  // Nothing listens on 80, so the table calls it free; the bind a service would make is refused.
  const script = `
    if (process.getuid() === 0) { process.setgid(65534); process.setuid(65534); }
    const { createPortProbe } = require('./server/engine/portProbe');
    (async () => {
      const few = await createPortProbe().scan();
      await few.prefetch([80]);
      const many = await createPortProbe().scan();
      await many.prefetch([80, ...Array.from({ length: 50 }, (_, i) => ${B + 40} + i)]);
      console.log(JSON.stringify([process.getuid() !== 0, few.busyNow(80), many.busyNow(80), await many.isBusy(80), many.busyNow(${B + 40})]));
    })();`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [true, true, true, true, false]);
});

test('a scan answers every port from one look, even for ports asked after it', { skip: !linux && 'Linux only' }, async () => {
  const scan = await createPortProbe({ scanBinds: 0 }).scan();
  await scan.prefetch!([B + 30]);
  const server = await listen(B + 31, '127.0.0.1');
  try {
    // Opened after the look: this scan keeps answering from what it saw; a new scan sees it.
    assert.equal(await scan.isBusy(B + 31), false);
    assert.equal(await (await createPortProbe({ scanBinds: 0 }).scan()).isBusy(B + 31), true);
  } finally {
    await close(server);
  }
});

test('the native reader rejects bad arguments with TypeError', { skip: !linux && 'Linux only' }, () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const native = require(path.join(root, 'dist', 'native', NATIVE_FILE)) as { scan(b: unknown): number; inodes(p: unknown): unknown };
  assert.throws(() => native.scan(new Uint8Array(10)), { name: 'TypeError', message: 'scan: expected a Uint8Array of 8192 bytes' });
  assert.throws(() => native.scan(new Uint16Array(4096)), TypeError);
  assert.throws(() => native.scan('x'), TypeError);
  for (const bad of [0, 65536, -1, 'x', undefined]) {
    assert.throws(() => native.inodes(bad), { name: 'TypeError', message: 'inodes: expected a port number 1-65535' }, String(bad));
  }
});

test('more listeners than one netlink reply holds: the table turns itself off and ports are bound', { skip: !linux && 'Linux only' }, async () => {
  // The kernel would send such a dump in parts, and a part can skip a listener that stayed open.
  const base = await freeRange(400);
  const servers = await Promise.all(Array.from({ length: 400 }, (_, i) => listen(base + i, '127.0.0.1')));
  try {
    const script = `const t = require('./server/proc/listenerTable'); const { createPortProbe } = require('./server/engine/portProbe');
      (async () => {
        const scan = await createPortProbe().scan();
        await scan.prefetch(Array.from({ length: 50 }, (_, i) => ${base} + 100 + i));
        console.log(JSON.stringify([t.listenerTable() === null, t.portCheckMethod(), scan.busyNow(${base + 120}), await scan.isBusy(${base + 400})]));
      })();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [true, 'binds only (more listeners than one sock_diag reply holds, which may skip one)', true, false]);
  } finally {
    await Promise.all(servers.map(close));
  }
});

test('a reader that throws or refuses is not asked again; a passing refusal is', () => {
  const reasons: string[] = [];
  let calls = 0;
  const throwing = new NativeTable({ scan: () => { calls++; throw new Error('stale build'); }, inodes: () => [] }, (r) => reasons.push(r));
  assert.equal(throwing.listening(), null);
  assert.equal(throwing.listening(), null);
  assert.equal(calls, 1);
  assert.deepEqual(reasons, ["the reader's scan() threw: stale build"]);

  const { ENOBUFS, EPERM } = os.constants.errno;
  let answers = [-ENOBUFS, -ENOBUFS, 1, -EPERM, 1];
  const refusing = new NativeTable({ scan: () => answers.shift()!, inodes: () => [] }, (r) => reasons.push(r));
  assert.equal(refusing.listening(), null, 'ENOBUFS twice: this look binds');
  assert.ok(refusing.listening(), 'and the next one asks again');
  assert.equal(refusing.listening(), null);
  assert.equal(refusing.listening(), null, 'EPERM: off for good');
  assert.deepEqual(answers, [1]);
  assert.equal(reasons[1], 'sock_diag refused: EPERM');
  answers = [];
});

test('MANITO_NATIVE=0 turns the table off: ports are bound, and the host says so', () => {
  const script = "const t=require('./server/proc/listenerTable');console.log(JSON.stringify([t.listenerTable()===null,t.portCheckMethod()]))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env: { ...process.env, MANITO_NATIVE: '0' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [true, 'binds only (MANITO_NATIVE is off)']);
});
