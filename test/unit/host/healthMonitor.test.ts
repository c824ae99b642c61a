// The health state machine with an injected clock and probe: transitions, grace period, history,
// waitHealthy, and one hung probe that must not delay the other services.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAST_PROBE_MS, HealthMonitor, type HealthTransition } from '../../../server/health/healthMonitor';
import type { ProbeOutcome, ProbeTarget } from '../../../server/health/probes';
import { ManualClock } from '../support/manualClock';

function setup(answers: Record<string, () => Promise<ProbeOutcome> | ProbeOutcome>, graceMs = 5000) {
  const clock = new ManualClock(1_000_000);
  const calls: string[] = [];
  const probe = async (t: ProbeTarget) => {
    calls.push(t.service);
    return answers[t.service]();
  };
  const monitor = new HealthMonitor({ probe, clock, cwd: '/', graceMs });
  const transitions: HealthTransition[] = [];
  monitor.onTransition((t) => transitions.push(t));
  return { clock, monitor, transitions, calls };
}

const ok: ProbeOutcome = { ok: true, latencyMs: 1, detail: 'ok' };
const fail: ProbeOutcome = { ok: false, latencyMs: 1, detail: 'ECONNREFUSED' };

test('not launched and nothing listening: stopped; answering: healthy; dies: stopped again', async () => {
  let up = false;
  const { clock, monitor, transitions } = setup({ a: () => (up ? ok : fail) });
  monitor.setServices([{ service: 'a', kind: 'http', port: 1234, launched: false, detected: false }]);
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'stopped');
  up = true;
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'healthy');
  up = false;
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'stopped');
  assert.deepEqual(transitions.map((t) => `${t.from}->${t.to}`), ['stopped->healthy', 'healthy->stopped']);
  assert.deepEqual(monitor.state('a')!.history.map((h) => h.ok), [false, true, false]);
});

test('launched: starting within the grace period, then unhealthy; detected and failing: unhealthy', async () => {
  const { clock, monitor, transitions } = setup({ a: () => fail, d: () => fail }, 5000);
  monitor.setServices([
    { service: 'a', kind: 'http', port: 1, launched: true, detected: false },
    { service: 'd', kind: 'redis', port: 2, launched: false, detected: true },
  ]);
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'starting');
  assert.equal(monitor.state('d')!.health, 'unhealthy');
  await clock.advanceSettling(4000);
  assert.equal(monitor.state('a')!.health, 'starting');
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'unhealthy');
  assert.deepEqual(transitions.filter((t) => t.service === 'a').map((t) => t.to), ['starting', 'unhealthy']);
});

test('launched, healthy, then no answer within the grace period: unhealthy at once (it crashed), not starting', async () => {
  let up = true;
  const { clock, monitor, transitions } = setup({ a: () => (up ? ok : fail) }, 30_000);
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: true, detected: false }]);
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'healthy');
  up = false;
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'unhealthy');
  assert.deepEqual(transitions.map((t) => t.to), ['starting', 'healthy', 'unhealthy']);
  // Launched again: a new grace period.
  monitor.update('a', { launched: false });
  monitor.update('a', { launched: true });
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'starting');
});

test('a restart: stopping is "stopped", never unhealthy; the new process is "starting" until it answers; an adopted one keeps its health', async () => {
  let up = true;
  const { clock, monitor, transitions } = setup({ a: () => (up ? ok : fail), b: () => ok }, 30_000);
  const a = { service: 'a', kind: 'http' as const, port: 1, launched: true, detected: false };
  monitor.setServices([a, { service: 'b', kind: 'http', port: 2, launched: false, detected: false }]);
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'healthy');
  monitor.update('a', { stopping: true });
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'healthy', 'still answering on its way out: no change');
  up = false;
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'stopped');
  monitor.update('a', { stopping: false, launched: false });
  monitor.update('a', { launched: true });
  assert.equal(monitor.state('a')!.health, 'starting');
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'starting', 'the new process has not answered yet (within the grace period)');
  up = true;
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'healthy');
  assert.deepEqual(transitions.filter((t) => t.service === 'a').map((t) => t.to), ['starting', 'healthy', 'stopped', 'starting', 'healthy']);
  // Adopted while answering (a terminal kept across a host restart): stays healthy.
  assert.equal(monitor.state('b')!.health, 'healthy');
  monitor.update('b', { launched: true });
  assert.equal(monitor.state('b')!.health, 'healthy');
});

test('each service runs on its own timer: a hung probe never delays the others', async () => {
  const { clock, monitor, calls } = setup({ hung: () => new Promise<ProbeOutcome>(() => undefined), fast: () => ok });
  monitor.setServices([
    { service: 'hung', kind: 'http', port: 1, launched: false, detected: false },
    { service: 'fast', kind: 'http', port: 2, launched: false, detected: false, check: { type: 'tcp', intervalMs: 500 } },
  ]);
  await clock.advanceSettling(5000);
  assert.equal(calls.filter((c) => c === 'hung').length, 1);
  assert.equal(calls.filter((c) => c === 'fast').length, 11);
  assert.equal(monitor.state('fast')!.health, 'healthy');
  assert.equal(monitor.state('fast')!.history.length, 11);
});

test('waitHealthy resolves on the transition, or false at the timeout', async () => {
  let up = false;
  const { clock, monitor } = setup({ a: () => (up ? ok : fail), b: () => fail });
  monitor.setServices([
    { service: 'a', kind: 'http', port: 1, launched: true, detected: false },
    { service: 'b', kind: 'http', port: 2, launched: true, detected: false },
  ]);
  const a = monitor.waitHealthy('a', 10_000);
  const b = monitor.waitHealthy('b', 3000);
  await clock.advanceSettling(1000);
  up = true;
  await clock.advanceSettling(2000);
  assert.equal(await a, true);
  assert.equal(await b, false);
});

test('a port change drops the old target and its in-flight result', async () => {
  let release: (o: ProbeOutcome) => void = () => undefined;
  const { clock, monitor } = setup({ a: () => new Promise<ProbeOutcome>((r) => { release = r; }) });
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: false, detected: false }]);
  await clock.advanceSettling(0);
  monitor.update('a', { port: 2 });
  release(ok); // the answer for port 1 arrives after the move
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'stopped');
  assert.equal(monitor.state('a')!.history.length, 0);
  monitor.dispose();
});

test(`a starting service is probed every ${FAST_PROBE_MS} ms, so its dependent hears "healthy" within 100 ms; then it backs off to its interval`, async () => {
  let up = false;
  const { clock, monitor, calls } = setup({ a: () => (up ? ok : fail) }, 30_000);
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: true, detected: false }]);
  const healthy = monitor.waitHealthy('a', 10_000);
  let heardAt = -1;
  void healthy.then(() => { heardAt = clock.now(); });
  await clock.advanceSettling(1000);
  assert.equal(calls.length, 1 + 1000 / FAST_PROBE_MS, `one probe at launch, then one every ${FAST_PROBE_MS} ms`);
  up = true;
  const upAt = clock.now();
  await clock.advanceSettling(100);
  assert.equal(await healthy, true);
  assert.ok(heardAt - upAt <= FAST_PROBE_MS, `heard ${heardAt - upAt} ms after it answered`);
  const before = calls.length;
  await clock.advanceSettling(4000);
  assert.equal(calls.length - before, 2, 'healthy and nobody waiting: every 2 s');
});

test('a service waited on is probed now and then fast, even if it is not starting (a dependency started by hand)', async () => {
  let up = false;
  const { clock, monitor, calls } = setup({ a: () => (up ? ok : fail) });
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: false, detected: false }]);
  await clock.advanceSettling(0);
  assert.equal(calls.length, 1);
  const healthy = monitor.waitHealthy('a', 10_000);
  await clock.advanceSettling(0);
  assert.equal(calls.length, 2, 'probed as soon as someone waits');
  await clock.advanceSettling(500);
  assert.equal(calls.length, 2 + 500 / FAST_PROBE_MS);
  up = true;
  await clock.advanceSettling(FAST_PROBE_MS);
  assert.equal(await healthy, true);
  const before = calls.length;
  await clock.advanceSettling(2000);
  assert.equal(calls.length - before, 1, 'no waiter left: back to the interval');
});

test(`a command check is probed fast too, but not every ${FAST_PROBE_MS} ms (it spawns a shell)`, async () => {
  const { clock, monitor, calls } = setup({ a: () => fail }, 30_000);
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: true, detected: false, check: { type: 'command', command: 'true' } }]);
  await clock.advanceSettling(1000);
  assert.equal(calls.length, 5);
});

test('exited(): a launched process that exits unasked is unhealthy at once and stays so until launched again or answering', async () => {
  let up = true;
  const { clock, monitor, transitions } = setup({ a: () => (up ? ok : fail) }, 30_000);
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: true, detected: false }]);
  await clock.advanceSettling(0);
  assert.equal(monitor.state('a')!.health, 'healthy');
  up = false;
  monitor.exited('a', 'exited with code 1');
  assert.equal(monitor.state('a')!.health, 'unhealthy', 'no probe needed');
  assert.deepEqual(transitions.at(-1), { service: 'a', from: 'healthy', to: 'unhealthy', detail: 'exited with code 1' });
  monitor.update('a', { launched: false });
  await clock.advanceSettling(4000);
  assert.equal(monitor.state('a')!.health, 'unhealthy', 'not launched any more, but it crashed: not "stopped"');
  monitor.update('a', { launched: true });
  assert.equal(monitor.state('a')!.health, 'starting');
  up = true;
  await clock.advanceSettling(50);
  assert.equal(monitor.state('a')!.health, 'healthy');
});

test('exited() during a stop on purpose is the stop: stopped, never unhealthy', async () => {
  let up = true;
  const { clock, monitor, transitions } = setup({ a: () => (up ? ok : fail) }, 30_000);
  monitor.setServices([{ service: 'a', kind: 'http', port: 1, launched: true, detected: false }]);
  await clock.advanceSettling(0);
  monitor.update('a', { stopping: true });
  up = false;
  monitor.exited('a', 'exited');
  monitor.update('a', { stopping: false, launched: false });
  await clock.advanceSettling(2000);
  assert.equal(monitor.state('a')!.health, 'stopped');
  assert.ok(!transitions.some((t) => t.to === 'unhealthy'));
});
