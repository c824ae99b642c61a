// The watch over a launched service's port: while the service runs its looks are quick (a refused
// connect rather than a read of /proc's socket tables), but a full look still comes once a second,
// and the look after the service ended is always full (a foreign socket may hold the port silently).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClaimResult } from '../../../server/detect/portClaim';
import { watchListener } from '../../../server/launch/listenerWatch';

// The watch's timers are unref()ed (a host's other handles keep it up); here a ref'd one stands in.
const keepAlive = setInterval(() => undefined, 60_000);
test.after(() => clearInterval(keepAlive));

test('looks are quick while the service runs, with a full one at least a second apart; the first full look comes after a second', async () => {
  const started = Date.now();
  const looks: Array<{ quick: boolean; at: number }> = [];
  const result = await watchListener({
    claim: async (quick): Promise<ClaimResult> => {
      looks.push({ quick, at: Date.now() - started });
      // The full look is the one that names the holder: it finds the service's own listener.
      return quick ? { type: 'free', port: 3000 } : { type: 'ours', port: 3000 };
    },
    ended: () => false,
    whenEnded: new Promise(() => undefined),
    intervalMs: 20,
    timeoutMs: 60_000,
  });
  assert.deepEqual(result, { type: 'ours', port: 3000 });
  const full = looks.filter((l) => !l.quick);
  assert.equal(full.length, 1, 'the watch ends at the full look that proved the listener');
  assert.ok(looks.length > 2 && looks[0]!.quick, `quick looks first: ${JSON.stringify(looks)}`);
  assert.ok(full[0]!.at >= 1000, `the full look came ${full[0]!.at} ms after the start`);
});

test('once the service has ended the next look is full, however recent the last one', async () => {
  let ended = false;
  const looks: boolean[] = [];
  let markEnded!: () => void;
  const whenEnded = new Promise<void>((resolve) => { markEnded = resolve; });
  const result = await watchListener({
    claim: async (quick): Promise<ClaimResult> => {
      looks.push(quick);
      if (looks.length === 1) { ended = true; markEnded(); } // it exits right after the first look
      return { type: 'free', port: 3000 };
    },
    ended: () => ended,
    whenEnded,
    intervalMs: 60_000, // the end, not the interval, wakes the watch
    timeoutMs: 120_000,
  });
  assert.deepEqual(result, { type: 'free', port: 3000 });
  assert.deepEqual(looks, [true, false], 'a quick look while it ran, a full one once it ended');
});
