import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elapsedSince, eventIcon, eventText, formatDuration, formatLatency, healthIcon, healthSummary, isBrowsable, reasonLabel } from '../../webview/format';
import type { ManitoEvent } from '../../protocol/model';
import { expectedDownAtFor, stripBars, stripSummary } from '../../webview/historyStrip';

test('durations read as people say them, two units at most', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(999), '0s');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(59_999), '59s');
  assert.equal(formatDuration(60_000), '1m 00s');
  assert.equal(formatDuration(187_000), '3m 07s');
  assert.equal(formatDuration(3_600_000), '1h 00m');
  assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000 + 59_000), '2h 05m');
  assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3d 4h');
  assert.equal(formatDuration(-5), '0s');
  assert.equal(formatDuration(Number.NaN), '0s');
});

test('elapsed time never goes negative and ignores bad timestamps', () => {
  const now = Date.parse('2025-08-18T15:01:00.000Z');
  assert.equal(elapsedSince('2025-08-18T15:00:00.000Z', now), 60_000);
  assert.equal(elapsedSince('2025-08-18T15:02:00.000Z', now), 0);
  assert.equal(elapsedSince('not a time', now), 0);
  assert.equal(elapsedSince(null, now), 0);
});

test('latency: sub-millisecond, milliseconds, seconds, and nothing yet', () => {
  assert.equal(formatLatency(null), '—');
  assert.equal(formatLatency(0.4), '<1 ms');
  assert.equal(formatLatency(3.6), '4 ms');
  assert.equal(formatLatency(1500), '1.5 s');
  assert.equal(formatLatency(12_300), '12 s');
});

test('reasons and health states have labels and icons', () => {
  assert.equal(reasonLabel('detected_running'), 'detected running');
  assert.equal(reasonLabel(null), 'no port');
  assert.equal(healthIcon('healthy'), 'pass-filled');
  assert.equal(healthIcon('unhealthy'), 'error');
});

test('event text: assignments, moves with their explanation, detections, health transitions', () => {
  assert.equal(eventText({ type: 'assigned', service: 'server', port: 3000, reason: 'preferred', explanation: '' }),
    'server assigned port 3000 (preferred)');
  assert.equal(eventText({ type: 'moved', service: 'server', from: 3000, to: 3001, explanation: '3000 is held by pid 1234 (vite), assigned 3001' }),
    'server moved 3000 → 3001: 3000 is held by pid 1234 (vite), assigned 3001');
  assert.equal(eventText({ type: 'detected', service: 'client', port: 5173, fingerprint: 'Vite', pid: 77, command: 'node vite' }),
    'Detected Vite for client on port 5173 (pid 77, node vite)');
  assert.equal(eventText({ type: 'health', service: 'redis', from: 'healthy', to: 'unhealthy', detail: 'ECONNREFUSED' }),
    'redis: healthy → unhealthy (ECONNREFUSED)');
  assert.equal(eventText({ type: 'stopped', service: 'server', exitCode: 0 }), 'server stopped (exit code 0)');
  assert.equal(eventText({ type: 'config', ok: false, source: 'file', errors: [{ message: 'x', line: 1, column: 2 }] }),
    'manito.json has 1 error; serving the last good config');
  assert.equal(eventText({ type: 'config', ok: false, source: 'none', errors: [{ message: 'x', line: 1, column: 2 }, { message: 'y', line: 3, column: 1 }] }),
    'manito.json has 2 errors; nothing is served until it is fixed');
  assert.equal(eventText({ type: 'config', ok: true, source: 'default', errors: [] }), 'No manito.json: serving the default stack');
  assert.deepEqual(eventIcon({ type: 'health', service: 's', from: 'starting', to: 'healthy' }), { icon: 'pass-filled', tone: 'ok' });
  assert.equal(eventIcon({ type: 'moved', service: 's', from: 1, to: 2, explanation: '' }).tone, 'warn');
});

test('only http(s) URLs are offered to a browser', () => {
  assert.equal(isBrowsable('http://localhost:3000'), true);
  assert.equal(isBrowsable('ws://localhost:3000'), false);
  assert.equal(isBrowsable('redis://localhost:6379'), false);
  assert.equal(isBrowsable(null), false);
});

test('history strip: newest 30 probes, failures full height, latency on a log scale', () => {
  const at = '2025-08-18T15:00:00.000Z';
  const history = Array.from({ length: 40 }, (_, i) => ({ at, ok: i !== 39, latencyMs: i === 0 ? 1000 : 2 }));
  const bars = stripBars(history);
  assert.equal(bars.length, 30);
  assert.equal(bars[29]!.ok, false);
  assert.equal(bars[29]!.height, 18);
  assert.ok(bars[0]!.height < 18 && bars[0]!.height >= 3);
  assert.equal(stripBars([{ at, ok: true, latencyMs: 1000 }])[0]!.height, 18);
  assert.equal(stripBars([{ at, ok: true, latencyMs: null }])[0]!.height, 3);
  assert.equal(stripSummary(history), 'Last 30 probes: 29 ok, 1 failed');
  // A stopped service is expected not to answer: its failures are quiet, not alarms.
  const quiet = stripBars([{ at, ok: false, latencyMs: null }], () => true)[0]!;
  assert.equal(quiet.expected, true);
  assert.equal(quiet.height, 3);
});

test('a probe failure counts as expected only while the service was stopped or starting, by its health events', () => {
  const ev = (id: number, time: string, from: 'stopped' | 'starting' | 'healthy' | 'unhealthy', to: typeof from): ManitoEvent =>
    ({ id, time, type: 'health', service: 'web', from, to });
  // Newest first, as the dashboard keeps them.
  const events = [
    ev(3, '2025-01-01T00:00:30.000Z', 'healthy', 'unhealthy'),
    ev(2, '2025-01-01T00:00:20.000Z', 'starting', 'healthy'),
    ev(1, '2025-01-01T00:00:10.000Z', 'stopped', 'starting'),
  ];
  const stoppedAt = expectedDownAtFor('web', events, 'unhealthy');
  assert.equal(stoppedAt('2025-01-01T00:00:05.000Z'), true, 'before it was started');
  assert.equal(stoppedAt('2025-01-01T00:00:15.000Z'), true, 'starting, not answering yet');
  assert.equal(stoppedAt('2025-01-01T00:00:25.000Z'), false);
  assert.equal(stoppedAt('2025-01-01T00:00:35.000Z'), false, 'a crash is not expected');
  assert.equal(expectedDownAtFor('other', events, 'unhealthy')('2025-01-01T00:00:35.000Z'), false);
  assert.equal(expectedDownAtFor('other', events, 'stopped')('2025-01-01T00:00:35.000Z'), true, 'no events: the current state decides');
  const bars = stripBars([
    { at: '2025-01-01T00:00:05.000Z', ok: false, latencyMs: null },
    { at: '2025-01-01T00:00:35.000Z', ok: false, latencyMs: null },
  ], stoppedAt);
  assert.deepEqual(bars.map((b) => b.expected), [true, false]);
  assert.equal(stripSummary([]), 'No probes yet');
});

test('the header badge says "All healthy" only when every service is, and counts the states otherwise', () => {
  const of = (...states: Array<'starting' | 'healthy' | 'unhealthy' | 'stopped'>) => states.map((health) => ({ health }));
  assert.equal(healthSummary(of('healthy', 'healthy', 'healthy')), 'All healthy');
  assert.equal(healthSummary(of('healthy', 'stopped', 'healthy')), '2 healthy · 1 stopped');
  assert.equal(healthSummary(of('unhealthy')), '1 unhealthy');
  assert.equal(healthSummary(of('stopped', 'healthy', 'unhealthy', 'starting', 'healthy')), '1 unhealthy · 1 starting · 2 healthy · 1 stopped');
  assert.equal(healthSummary(of('stopped', 'stopped')), 'All stopped');
  assert.equal(healthSummary([]), 'No services');
  // A service without a port is not "stopped" like the others: it is counted apart and first.
  assert.equal(healthSummary([{ health: 'healthy' }, { health: 'stopped', error: 'no free port in 3000-3002' }]), '1 without a port · 1 healthy');
  assert.equal(healthSummary([{ health: 'stopped', error: 'no free port' }]), '1 without a port');
});
