// The probe on real sockets: a listener on ::1 alone takes the port (through the dual-stack bind
// and through binds of each address), the holder is named by pid and start time, and bad input is
// rejected precisely.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { before, test } from 'node:test';
import { createPortProbe, tryBind } from '../../../server/engine/portProbe';
import { processStartTime } from '../../../server/engine/processAlive';
import { parseTcpTable } from '../../../server/proc/tcpTable';
import { close, engineFor, foreignListener, freeRange, listen, tempStateDir } from './engineTestKit';

const hasIpv6Loopback = Object.values(os.networkInterfaces()).flat().some((i) => i?.address === '::1');
let B = 0;
before(async () => {
  tempStateDir();
  B = await freeRange(8);
});

test('a listener on ::1 only makes the port busy, for the dual-stack bind and for binds of each address', { skip: !hasIpv6Loopback && 'no ::1 here' }, async () => {
  const server = await listen(B, '::1');
  try {
    assert.equal(await tryBind(B, '127.0.0.1'), 'free', 'IPv4 alone would have missed it');
    for (const probe of [createPortProbe(), createPortProbe({ procRoot: null, wildcardOnly: false })]) {
      assert.equal(await probe.isFree(B), false);
      assert.equal(await probe.isFree(B + 1), true);
    }
    const holder = await createPortProbe().holder(B);
    assert.equal(holder?.pid, process.pid);
    const { engine } = engineFor({ services: { web: { preferred: [B, B + 1] } } });
    await engine.allocateAll();
    assert.equal(engine.get('web')!.port, B + 1);
    assert.equal(engine.get('web')!.reason, 'fallback');
    assert.match(engine.get('web')!.explanation, new RegExp(`^${B} is held by pid ${process.pid} \\(.+\\), assigned ${B + 1}$`));
    await engine.dispose();
  } finally {
    await close(server);
  }
  assert.equal(await createPortProbe().isFree(B), true);
});

test('holder names another process by pid and command line; null when free', async () => {
  const child = await foreignListener(B + 2, '0.0.0.0');
  try {
    const holder = await createPortProbe().holder(B + 2);
    assert.equal(holder?.pid, child.pid);
    assert.match(holder!.command!, /node -e .*createServer/);
    if (process.platform === 'linux') assert.equal(holder!.startTime, processStartTime(child.pid), 'the start time tells it from a later process given its pid');
  } finally {
    await child.stop();
  }
  assert.equal(await createPortProbe().holder(B + 2), null);
});

test('a holder the OS does not name comes back empty, and the explanation says "another process"', async () => {
  const server = await listen(B + 3, '127.0.0.1');
  try {
    const probe = createPortProbe({ procRoot: null });
    assert.deepEqual(await probe.holder(B + 3), {});
    const { engine } = engineFor({ services: { web: { preferred: [B + 3, B + 4] } } }, { probe });
    await engine.allocateAll();
    assert.equal(engine.get('web')!.explanation, `${B + 3} is held by another process, assigned ${B + 4}`);
    assert.deepEqual(engine.get('web')!.holder, {});
    await engine.dispose();
  } finally {
    await close(server);
  }
});

test('bad ports are rejected with TypeError or RangeError', async () => {
  const probe = createPortProbe();
  await assert.rejects(probe.isFree(0), { name: 'RangeError', message: 'port must be between 1 and 65535, got 0' });
  await assert.rejects(probe.isFree(70000), RangeError);
  await assert.rejects(probe.isFree(3000.5), { name: 'TypeError', message: 'port must be an integer, got 3000.5' });
  await assert.rejects(probe.isFree('3000' as unknown as number), { name: 'TypeError', message: 'port must be a number, got string' });
});

test('parseTcpTable reads listeners and bound sockets, not connections', () => {
  const text = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0',
    '   1: 0100007F:0BB9 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0',
    '   2: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 333 1 0',
  ].join('\n');
  assert.deepEqual(parseTcpTable(text, 4).map(({ port, inode, state }) => ({ port, inode, state })), [
    { port: 3000, inode: 111, state: 'listen' },
    { port: 8080, inode: 333, state: 'bound' },
  ]);
});
