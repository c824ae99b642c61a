// The helper thread that shares a large check's binds, on real sockets: its answers match
// one-thread binds for free ports and for ports held on every kind of address (in this process
// and in another), busy ports are settled here, rounds of every size follow each other without
// mixing answers, and a stopped helper leaves one thread doing it all.
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import * as os from 'node:os';
import { after, before, test } from 'node:test';
import { bindMany, PARALLEL_MIN, startBinds, startHelper, stopHelper } from '../../../server/engine/bindHelper';
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

test('shared between both threads, rounds of every size follow one another without mixing answers', async () => {
  startHelper();
  const sizes = [SPAN, PARALLEL_MIN, 40, 17, SPAN, 23, 33, PARALLEL_MIN + 1, 50, 61];
  let helped = 0;
  for (let round = 0; round < 60; round++) {
    const n = sizes[round % sizes.length];
    const from = B + ((round * 7) % (SPAN - n + 1));
    const ports = range(from, n).reverse(); // any order
    const { answers, byHelper } = bindMany(ports, bindDualStackNow);
    helped += byHelper;
    assert.deepEqual(await settled(answers), ports.map((p) => !held.has(p)), `round ${round}: ${n} ports from ${from}`);
  }
  assert.ok(helped > 0, 'over 60 rounds the helper took part');
});

test('a started check skips here the ports it is told to, and finishing twice answers the same', async () => {
  startHelper();
  const ports = range(B, 40);
  const check = startBinds(ports, bindDualStackNow);
  const skipped = new Set([B, B + 1, B + 2]);
  const first = check.finish((p) => skipped.has(p));
  const again = check.finish();
  assert.equal(again, first);
  const answers = await settled(first.answers);
  for (const [i, port] of ports.entries()) {
    // The helper may have checked a skipped port before it was told; this thread never does.
    if (skipped.has(port) && answers[i] === undefined) continue;
    assert.equal(answers[i], !held.has(port), `port ${port}`);
  }
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
