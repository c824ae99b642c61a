// The runner's in-flight count: idle at once when nothing runs, idle only after the last of
// several overlapping operations settles, failures included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdleTracker } from '../../../server/launch/idleTracker';

function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
  return { promise, open, fail };
}

test('idle at once when nothing is in flight', async () => {
  await new IdleTracker().whenIdle();
});

test('idle only once the last of overlapping operations settles, a failed one included', async () => {
  const tracker = new IdleTracker();
  const a = gate();
  const b = gate();
  const first = tracker.track(() => a.promise);
  const second = tracker.track(() => b.promise).catch((error: Error) => error.message);
  let idle = false;
  const waiting = tracker.whenIdle().then(() => { idle = true; });
  a.open();
  await first;
  await Promise.resolve();
  assert.equal(idle, false, 'one operation is still in flight');
  b.fail(new Error('stop failed'));
  assert.equal(await second, 'stop failed', 'the failure reaches the caller');
  await waiting;
  assert.equal(idle, true);
});

test('track returns what the operation returns', async () => {
  assert.deepEqual(await new IdleTracker().track(async () => ({ ok: true })), { ok: true });
});
