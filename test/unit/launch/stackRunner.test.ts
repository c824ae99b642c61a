import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import type { Assignment } from '../../../server/engine/engineApi';
import type { LaunchSpec } from '../../../server/launch/launchEnv';
import type { LaunchedService, Launcher } from '../../../server/launch/launcher';
import { ProcessLauncher } from '../../../server/launch/processLauncher';
import { dependencyOrder } from '../../../server/launch/dependencyOrder';
import { descendants, isAlive } from '../../../server/launch/processTree';
import { StackRunner, UNTRUSTED_MESSAGE, type RunnerEvent } from '../../../server/launch/stackRunner';
import { freePort, get, nodeServerCommand, until } from './helpers';

/** The engine surface StackRunner uses, over fixed assignments. */
function engineOf(ports: Record<string, number>) {
  const running = new Map<string, boolean>();
  const all = new Map<string, Assignment>(Object.entries(ports).map(([service, port]) => [service, { service, port, reason: 'preferred', explanation: '' }]));
  return { running, get: (s: string) => all.get(s), all: () => all, setRunning: (s: string, r: boolean) => { running.set(s, r); } };
}

/** Real HTTP probe, as the health monitor would do it. */
function httpHealthy(ports: Record<string, number>) {
  return async (service: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try { if ((await get(ports[service]!)).status === 200) return true; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 25));
    }
    return false;
  };
}

test('dependencyOrder: dependencies first; a cycle and an unknown dependency are clear errors', () => {
  const stack: StackConfig = { services: { web: { dependsOn: ['api'] }, api: { dependsOn: ['db'] }, db: {}, other: {} } };
  assert.deepEqual(dependencyOrder(stack), ['db', 'api', 'web', 'other']);
  assert.deepEqual(dependencyOrder(stack, ['api']), ['db', 'api']);
  assert.throws(() => dependencyOrder({ services: { a: { dependsOn: ['b'] }, b: { dependsOn: ['c'] }, c: { dependsOn: ['a'] } } }), /cycle: a -> b -> c -> a/);
  assert.throws(() => dependencyOrder({ services: { a: { dependsOn: ['ghost'] } } }), /service "a" depends on unknown service "ghost"/);
});

test('startStack: real servers in dependsOn order, each after its dependency is healthy; stopStack leaves no process', async (t) => {
  const ports = { api: await freePort(), web: await freePort(), redis: await freePort() };
  const stack: StackConfig = {
    services: {
      web: { command: nodeServerCommand(), dependsOn: ['api'], env: { NAME: 'web', UPSTREAM: 'http://localhost:${ports.api}' } },
      api: { command: nodeServerCommand(), env: { NAME: 'api' } },
      redis: {},
    },
  };
  const engine = engineOf(ports);
  const order: string[] = [];
  const healthChecks: string[] = [];
  const events: RunnerEvent[] = [];
  const waitHealthy = httpHealthy(ports);
  const runner = new StackRunner({
    workspace: process.cwd(), launcher: new ProcessLauncher({ write: () => {}, color: false }), engine,
    config: () => stack, trusted: () => true,
    waitHealthy: async (s, t) => { healthChecks.push(s); return waitHealthy(s, t); },
  });
  t.after(() => runner.stopStack());
  const stoppingSeen: string[] = [];
  runner.on((e) => {
    events.push(e);
    if (e.type === 'started') order.push(e.service);
    // While a stop runs, the runner says so (the health monitor then expects no answer).
    if (e.type === 'stopping' && runner.isStopping(e.service) && runner.runnerOf(e.service)) stoppingSeen.push(e.service);
  });
  const result = await runner.startStack();
  assert.equal(result.ok, true, result.message);
  assert.equal(result.message, 'Started api, web. Skipped redis (no command).');
  assert.deepEqual(order, ['api', 'web']);
  assert.deepEqual(healthChecks, ['api']);
  assert.equal((await until(() => get(ports.web), 10_000, 'web answers')).body, `web ${ports.web} http://localhost:${ports.api}`);
  assert.equal(engine.running.get('api'), true);
  assert.equal(runner.runnerOf('web'), 'process');

  const again = await runner.startStack();
  assert.match(again.message, /Skipped api \(already running\), web \(already running\), redis \(no command\)/);

  const pids = ['api', 'web'].flatMap((s) => { const pid = runner.pidOf(s)!; return [pid, ...descendants(pid)]; });
  const stopped = await runner.stopStack();
  assert.equal(stopped.message, 'Stopped web, api.');
  for (const pid of pids) assert.equal(isAlive(pid), false);
  await new Promise((r) => setImmediate(r));
  assert.equal(engine.running.get('api'), false);
  assert.deepEqual(events.filter((e) => e.type === 'stopped').map((e) => e.service).sort(), ['api', 'web']);
  assert.deepEqual(events.filter((e) => e.type === 'stopping' || e.type === 'stopped').map((e) => `${e.type} ${e.service}`),
    ['stopping web', 'stopped web', 'stopping api', 'stopped api']);
  assert.deepEqual(stoppingSeen, ['web', 'api']);
  assert.equal(runner.isStopping('web'), false);
  assert.deepEqual(runner.running(), []);
});

/** Records specs instead of running them: for the checks where no process needs to run. */
class RecordingLauncher implements Launcher {
  readonly runner = 'process' as const;
  specs: LaunchSpec[] = [];
  async launch(spec: LaunchSpec): Promise<LaunchedService> {
    this.specs.push(spec);
    return { service: spec.service, pid: null, runner: 'process', exited: false, stop: async () => {}, onExit: () => () => {} };
  }
}

test('untrusted workspace: no command runs, and the message says why', async () => {
  const launcher = new RecordingLauncher();
  const runner = new StackRunner({
    workspace: '/ws', launcher, engine: engineOf({ a: 1 }), config: () => ({ services: { a: { command: 'true' } } }),
    trusted: () => false, waitHealthy: async () => true,
  });
  for (const result of [await runner.startStack(), await runner.startService('a'), await runner.restartService('a')]) {
    assert.deepEqual(result, { ok: false, message: UNTRUSTED_MESSAGE });
  }
  assert.equal(launcher.specs.length, 0);
});

test('detected services are not started twice; startService starts missing dependencies; unhealthy dependency stops the chain', async () => {
  const launcher = new RecordingLauncher();
  let healthy = true;
  const runner = new StackRunner({
    workspace: '/ws', launcher, engine: engineOf({ client: 5173, server: 3001, db: 5432 }),
    config: () => ({ services: { client: { command: 'vite', dependsOn: ['server'] }, server: { command: 'node s', dependsOn: ['db'] }, db: { command: 'pg' } } }),
    trusted: () => true, waitHealthy: async () => healthy, isDetected: (s) => s === 'db', healthTimeoutMs: 10,
  });
  const r = await runner.startService('client');
  assert.equal(r.message, 'Started server, client. Skipped db (already running).');
  assert.deepEqual(launcher.specs.map((s) => s.service), ['server', 'client']);
  assert.equal(launcher.specs[1]!.env.MANITO_SERVER_PORT, '3001');
  await runner.stopStack();
  healthy = false;
  const failed = await runner.startStack();
  assert.equal(failed.ok, false);
  assert.match(failed.message, /server not started: its dependency db did not become healthy/);
  assert.deepEqual((await runner.startService('nope')), { ok: false, message: 'Unknown service "nope".' });
  assert.deepEqual(await runner.startService('db'), { ok: true, message: 'db is already running (found running, not started by Manito).' });
  const bare = new StackRunner({ workspace: '/ws', launcher, engine: engineOf({ redis: 6379 }), config: () => ({ services: { redis: {} } }), trusted: () => true, waitHealthy: async () => true });
  assert.deepEqual(await bare.startService('redis'), { ok: false, message: 'redis has no "command" in manito.json; Manito only allocates and watches its port.' });
  const cyc = new StackRunner({ workspace: '/ws', launcher, engine: engineOf({}), config: () => ({ services: { a: { command: 'x', dependsOn: ['a'] } } }), trusted: () => true, waitHealthy: async () => true });
  assert.deepEqual(await cyc.startStack(), { ok: false, message: 'dependsOn has a cycle: a -> a' });
});

test('a service served by its parent (inheritFrom, no command) is not reported as skipped; one without either still is', async () => {
  const launcher = new RecordingLauncher();
  const runner = new StackRunner({
    workspace: '/ws', launcher, engine: engineOf({ server: 3000, websocket: 3000, redis: 6379 }),
    config: () => ({ services: { server: { command: 'node s' }, websocket: { inheritFrom: 'server', kind: 'websocket' }, redis: {} } }),
    trusted: () => true, waitHealthy: async () => true,
  });
  assert.deepEqual(await runner.startStack(), { ok: true, message: 'Started server. Skipped redis (no command).' });
  assert.deepEqual(launcher.specs.map((s) => s.service), ['server']);
  assert.deepEqual(await runner.startStack(), { ok: true, message: 'Skipped server (already running), redis (no command). Nothing to start.' });
  await runner.stopStack();
});

test('stopStack while a start waits on a dependency: the wait ends at once and the dependent never starts', async () => {
  const launcher = new RecordingLauncher();
  const runner = new StackRunner({
    workspace: '/ws', launcher, engine: engineOf({ a: 1, b: 2 }),
    config: () => ({ services: { a: { command: 'a' }, b: { command: 'b', dependsOn: ['a'] } } }),
    trusted: () => true, waitHealthy: () => new Promise(() => {}), healthTimeoutMs: 60_000,
  });
  const starting = runner.startStack();
  await new Promise((r) => setImmediate(r));
  const t0 = Date.now();
  await runner.dispose();
  const result = await starting;
  assert.ok(Date.now() - t0 < 1000);
  assert.deepEqual(result, { ok: false, message: 'Start of b cancelled: the stack was stopped.' });
  assert.deepEqual(launcher.specs.map((s) => s.service), ['a']);
  assert.deepEqual(runner.running(), []);
});

test('dispose (host shutdown) stops every service it runs, adopted ones too; launch marks a service running before it answers', async () => {
  const stopped: string[] = [];
  const engine = engineOf({ term: 1, proc: 2 });
  let runningAtLaunch: boolean | undefined;
  const launcher: Launcher = {
    runner: 'process',
    async launch(spec) {
      runningAtLaunch = engine.running.get(spec.service);
      return { service: spec.service, pid: null, runner: 'process', exited: false, stop: async () => { stopped.push(spec.service); }, onExit: () => () => {} };
    },
  };
  const runner = new StackRunner({
    workspace: '/ws', launcher, engine, config: () => ({ services: { term: { command: 't' }, proc: { command: 'p' } } }), trusted: () => true, waitHealthy: async () => true,
  });
  runner.adopt('term', { service: 'term', pid: null, runner: 'process', exited: false, stop: async () => { stopped.push('term'); }, onExit: () => () => {} });
  assert.equal((await runner.startService('proc')).ok, true);
  assert.equal(runningAtLaunch, true, 'running before the launcher answered, so healing cannot move it');
  await runner.dispose();
  assert.deepEqual(stopped.sort(), ['proc', 'term']);
  assert.deepEqual(runner.running(), []);
});

test('a dependent starts as soon as its dependency answers: the ownership check looks then, not at its next tick', { timeout: 20_000 }, async () => {
  const launcher = new RecordingLauncher();
  // The check at launch finds nothing listening yet; any later look finds the service's own listener.
  const looks: string[] = [];
  let healthy!: () => void;
  const answered = new Promise<void>((resolve) => { healthy = resolve; });
  const runner = new StackRunner({
    workspace: '/ws', launcher, engine: engineOf({ db: 1, api: 2 }),
    config: () => ({ services: { db: { command: 'db' }, api: { command: 'api', dependsOn: ['db'] } } }),
    trusted: () => true,
    waitHealthy: async (service) => { assert.equal(service, 'db'); await answered; return true; },
    claimPort: async (service, when) => {
      if (when === 'beforeLaunch') return { type: 'free', port: 0 };
      looks.push(service);
      return looks.filter((s) => s === service).length === 1 ? { type: 'free', port: 0 } : { type: 'ours', port: 0 };
    },
    // A tick far beyond the test's limit: only the dependent's request for a look can start api in time.
    verifyIntervalMs: 600_000,
  });
  const starting = runner.startStack();
  await until(() => looks.includes('db'), 10_000, 'the first look at db, right after its launch');
  healthy();
  const result = await starting;
  assert.deepEqual(result, { ok: true, message: 'Started db, api.' });
  assert.deepEqual(launcher.specs.map((s) => s.service), ['db', 'api']);
  assert.deepEqual(looks.filter((s) => s === 'db'), ['db', 'db'], 'one look at launch, one when api asked');
  await runner.dispose();
});
