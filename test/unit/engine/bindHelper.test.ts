// The helper thread that shares a large check's binds, on real sockets: its answers match
// one-thread binds for free ports and for ports held on every kind of address (in this process
// and in another), busy ports are settled here, hundreds of rounds of random sizes and orders
// (some after a heads-up) never mix answers, a helper that stalls mid-round is retired without a
// wrong answer, and a stopped helper leaves one thread doing it all.
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import * as os from 'node:os';
import { after, before, test } from 'node:test';
import { bindMany, expectBinds, PARALLEL_MIN, sharedTotals, startHelper, stopHelper } from '../../../server/engine/bindHelper';
import { bindDualStackNow, bindsEverywhere } from '../../../server/engine/portProbe';
import { close, foreignListener, freeRange, listen } from './engineTestKit';

const SPAN = 64;
const hasIpv6Loopback = Object.values(os.networkInterfaces()).flat().some((i) => i?.address === '::1');
let B = 0;
const servers: net.Server[] = [];
let foreign: Awaited<ReturnType<typeof foreignListener>> | undefined;
/** The ports held for the whole file, on every address a dev server binds. */
const held = new Set<number>();

before(async () => {
  B = await freeRange(SPAN);
  const hosts = ['127.0.0.1', '0.0.0.0', '::', ...(hasIpv6Loopback ? ['::1'] : [])];
  for (const [i, host] of hosts.entries()) {
    servers.push(await listen(B + 5 + i * 11, host));
    held.add(B + 5 + i * 11);
  }
  foreign = await foreignListener(B + SPAN - 2, '127.0.0.1');
  held.add(B + SPAN - 2);
});

after(async () => {
  stopHelper();
  for (const s of servers) await close(s);
  await foreign?.stop();
});

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

async function settled(answers: ReadonlyArray<boolean | Promise<boolean> | undefined>): Promise<Array<boolean | undefined>> {
  return Promise.all(answers.map((a) => a));
}

test('the ports held on 127.0.0.1, 0.0.0.0, :: and ::1 are what one-thread binds see', async () => {
  for (const port of range(B, SPAN)) assert.equal(await bindsEverywhere(port), !held.has(port), `port ${port}`);
});

test('every answer of the helper alone is right: free ports from the helper, busy ones settled here', async () => {
  assert.equal(startHelper(), true, 'worker threads run here');
  const ports = range(B, SPAN);
  const { answers, byHelper } = bindMany(ports, bindDualStackNow, { helperOnly: true });
  assert.deepEqual(await settled(answers), ports.map((p) => !held.has(p)));
  assert.equal(byHelper, SPAN - held.size, 'the helper answered every free port');
});

test('shared between both threads, 400 rounds of random sizes, orders and heads-ups never mix answers', async () => {
  startHelper();
  let helped = 0;
  for (let round = 0; round < 400; round++) {
    const n = PARALLEL_MIN + Math.floor(Math.random() * (SPAN - PARALLEL_MIN + 1));
    const from = B + Math.floor(Math.random() * (SPAN - n + 1));
    const ports = range(from, n).sort(() => Math.random() - 0.5);
    if (round % 3 === 0) expectBinds(n);
    const { answers, byHelper } = bindMany(ports, bindDualStackNow);
    helped += byHelper;
    assert.deepEqual(await settled(answers), ports.map((p) => !held.has(p)), `round ${round}: ${n} ports from ${from}`);
    if (round % 50 === 0) await new Promise((r) => setImmediate(r)); // as a host does between checks
  }
  assert.ok(helped > 0, 'over 400 rounds the helper took part');
});

test('a helper that stalls with a port claimed is retired, and every answer is still right', async () => {
  stopHelper();
  const stallsBefore = sharedTotals.stalls;
  // It stalls 150 ms after each claim: its first answer is awaited as a start (up to 5 s), its
  // second stall outlasts the 50 ms a claimed port is waited for.
  assert.equal(startHelper({ stallMs: 150 }), true);
  const ports = range(B, SPAN);
  const { answers, byHelper } = bindMany(ports, bindDualStackNow, { helperOnly: true });
  assert.deepEqual(await settled(answers), ports.map((p) => !held.has(p)));
  assert.equal(sharedTotals.stalls, stallsBefore + 1, 'the stall was noticed once');
  assert.ok(byHelper <= 1, `the helper answered ${byHelper} ports before it was retired`);
  // Retired: the next helper is a new one, and answers every free port.
  assert.equal(startHelper(), true);
  const fresh = bindMany(ports, bindDualStackNow, { helperOnly: true });
  assert.equal(fresh.byHelper, SPAN - held.size, 'a new helper, not the stalled one');
  assert.deepEqual(await settled(fresh.answers), ports.map((p) => !held.has(p)));
});

test('fewer than PARALLEL_MIN ports, or no helper, and this thread checks them all', async () => {
  startHelper();
  const few = range(B, PARALLEL_MIN - 1);
  const small = bindMany(few, bindDualStackNow);
  assert.equal(small.byHelper, 0);
  assert.deepEqual(await settled(small.answers), few.map((p) => !held.has(p)));
  stopHelper();
  const ports = range(B, SPAN);
  const alone = bindMany(ports, bindDualStackNow);
  assert.equal(alone.byHelper, 0, 'the helper starts after this check, not during it');
  assert.deepEqual(await settled(alone.answers), ports.map((p) => !held.has(p)));
});

// Last: it turns the helper off for the rest of this process.
test('after three stalls no helper is started again, and this thread checks everything', async () => {
  const ports = range(B, SPAN);
  while (sharedTotals.stalls < 3) {
    stopHelper();
    assert.equal(startHelper({ stallMs: 150 }), true);
    const { answers } = bindMany(ports, bindDualStackNow, { helperOnly: true });
    assert.deepEqual(await settled(answers), ports.map((p) => !held.has(p)));
  }
  assert.equal(startHelper(), false, 'disabled');
  await new Promise((r) => setTimeout(r, 50)); // a start asked for by a check would run by now
  const { answers, byHelper } = bindMany(ports, bindDualStackNow);
  assert.equal(byHelper, 0);
  assert.deepEqual(await settled(answers), ports.map((p) => !held.has(p)));
});
