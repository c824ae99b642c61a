// When the Services tree refreshes one row so VS Code forgets a stale tooltip: never while the
// tooltip may still be read, at once when another row's tooltip replaces it, never for rows
// VS Code resolved nothing for. A manual clock drives time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolvedTooltips } from '../../../extension/resolvedTooltips';
import { ManualClock } from '../support/manualClock';

function setup(graceMs = 5000) {
  const timers = new ManualClock();
  const refreshed: Array<[row: string, at: number]> = [];
  const tooltips = new ResolvedTooltips((row) => refreshed.push([row, timers.now()]), graceMs, timers);
  const now: Record<string, string> = { server: 'server 2 ms', client: 'client 5 ms' };
  const changed = () => tooltips.changed((row) => now[row]);
  return { timers, refreshed, tooltips, now, changed };
}

test('a row nobody hovered is never refreshed for a probe: its next hover resolves afresh anyway', () => {
  const { timers, refreshed, now, changed } = setup();
  now.server = 'server 3 ms';
  changed();
  timers.advance(60_000);
  assert.deepEqual(refreshed, []);
  assert.equal(timers.pending, 0);
});

test('a hovered row whose data does not change is left alone', () => {
  const { timers, refreshed, tooltips, changed } = setup();
  tooltips.resolved('server', 'server 2 ms');
  changed();
  timers.advance(60_000);
  assert.deepEqual(refreshed, []);
});

test('a hovered row gone stale is refreshed once, not before its reader had the grace period', () => {
  const { timers, refreshed, tooltips, now, changed } = setup(5000);
  tooltips.resolved('server', 'server 2 ms');
  timers.advance(1000);
  now.server = 'server 3 ms';
  changed();
  timers.advance(3999);
  assert.deepEqual(refreshed, [], 'the tooltip may still be showing');
  timers.advance(1);
  assert.deepEqual(refreshed, [['server', 5000]]);
  // Refreshed: VS Code holds no tooltip for it now, so later probes cost nothing until the next hover.
  now.server = 'server 4 ms';
  changed();
  timers.advance(60_000);
  assert.equal(refreshed.length, 1);
});

test('a row that goes stale after the grace period is refreshed at once', () => {
  const { timers, refreshed, tooltips, now, changed } = setup(5000);
  tooltips.resolved('server', 'server 2 ms');
  timers.advance(20_000);
  now.server = 'server 3 ms';
  changed();
  timers.advance(0);
  assert.deepEqual(refreshed, [['server', 20_000]]);
});

test('hovering another row refreshes a stale one at once: only one tooltip shows at a time', () => {
  const { timers, refreshed, tooltips, now, changed } = setup(5000);
  tooltips.resolved('server', 'server 2 ms');
  now.server = 'server 3 ms';
  changed();
  timers.advance(500);
  tooltips.resolved('client', 'client 5 ms');
  assert.deepEqual(refreshed, [], 'not from inside resolveTreeItem');
  timers.advance(0);
  assert.deepEqual(refreshed, [['server', 500]]);
  timers.advance(60_000);
  assert.equal(refreshed.length, 1, 'the client row is not stale');
});

test('a full refresh forgets every resolved row and its pending refresh', () => {
  const { timers, refreshed, tooltips, now, changed } = setup(5000);
  tooltips.resolved('server', 'server 2 ms');
  tooltips.resolved('client', 'client 5 ms');
  now.server = 'server 3 ms';
  changed();
  tooltips.reset();
  now.client = 'client 6 ms';
  changed();
  timers.advance(60_000);
  assert.deepEqual(refreshed, []);
  assert.equal(timers.pending, 0);
});

test('hovering the same row again starts its grace period over', () => {
  const { timers, refreshed, tooltips, now, changed } = setup(5000);
  tooltips.resolved('server', 'server 2 ms');
  timers.advance(4000);
  tooltips.resolved('server', 'server 2 ms');
  now.server = 'server 3 ms';
  changed();
  timers.advance(4999);
  assert.deepEqual(refreshed, []);
  timers.advance(1);
  assert.deepEqual(refreshed, [['server', 9000]]);
});
