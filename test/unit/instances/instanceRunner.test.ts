// The runner with a multi-instance service: starting the service starts its instances and then its
// front (the host's listener, launched as a spec with `front`), each instance with its own env;
// stopping the service stops the front first, then every instance. With `front: false` there is
// no front, and the service still starts and stops as a whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import type { Assignment } from '../../../server/engine/engineApi';
import { expandInstances } from '../../../server/instances/expandInstances';
import { withFronts } from '../../../server/instances/frontLauncher';
import { ExitSignal, type LaunchedService, type Launcher } from '../../../server/launch/launcher';
import type { LaunchSpec } from '../../../server/launch/launchEnv';
import { StackRunner } from '../../../server/launch/stackRunner';

function recording(stack: StackConfig, ports: Record<string, number>) {
  const all = new Map<string, Assignment>(Object.entries(ports).map(([service, port]) => [service, { service, port, reason: 'preferred', explanation: '' }]));
  const launched: LaunchSpec[] = [];
  const stopped: string[] = [];
  const launcher: Launcher = {
    runner: 'process',
    launch: async (spec) => {
      launched.push(spec);
      const exit = new ExitSignal();
      const service: LaunchedService = {
        service: spec.service, pid: null, runner: 'process', get exited() { return exit.fired; },
        stop: async () => { stopped.push(spec.service); exit.fire({ code: null }); },
        onExit: (listener) => exit.on(listener),
      };
      return service;
    },
  };
  const runner = new StackRunner({
    workspace: '/ws', launcher, config: () => stack, trusted: () => true, waitHealthy: async () => true,
    engine: { get: (s) => all.get(s), all: () => all, setRunning: () => {} },
  });
  return { runner, launched, stopped };
}

test('startService(web) launches web#1, web#2 and the front; stopService(web) ends all three', async () => {
  const stack = expandInstances({ services: { web: { preferred: [3000], command: 'node web.js', instances: 2 } } });
  const { runner, launched, stopped } = recording(stack, { web: 3000, 'web#1': 3001, 'web#2': 3002 });
  const result = await runner.startService('web');
  assert.equal(result.ok, true, result.message);
  assert.deepEqual(launched.map((s) => [s.service, s.front === true]), [['web#1', false], ['web#2', false], ['web', true]]);
  assert.deepEqual([launched[0]!.env.PORT, launched[0]!.env.MANITO_INSTANCE, launched[1]!.env.PORT, launched[1]!.env.MANITO_INSTANCE], ['3001', '1', '3002', '2']);
  assert.equal(launched[1]!.env.MANITO_WEB_PORTS, '3001,3002');
  assert.equal(launched[1]!.env.MANITO_WEB_PORT, '3000');
  assert.deepEqual(runner.running().sort(), ['web', 'web#1', 'web#2']);
  const stop = await runner.stopService('web');
  assert.equal(stop.ok, true);
  assert.deepEqual(stopped, ['web', 'web#1', 'web#2']);
  assert.deepEqual(runner.running(), []);
  const restarted = await runner.restartService('web');
  assert.equal(restarted.ok, true, restarted.message);
  assert.deepEqual(runner.running().sort(), ['web', 'web#1', 'web#2']);
});

test('front: false: starting web starts its instances (web has the first one\'s port); stopping web stops them', async () => {
  const stack = expandInstances({ services: { web: { preferred: [3000], command: 'node web.js', instances: 2, front: false } } });
  const { runner, launched, stopped } = recording(stack, { web: 3001, 'web#1': 3001, 'web#2': 3002 });
  const result = await runner.startService('web');
  assert.equal(result.ok, true, result.message);
  assert.deepEqual(launched.map((s) => s.service), ['web#1', 'web#2']);
  assert.equal(launched[0]!.env.MANITO_WEB_PORT, '3001');
  const stop = await runner.stopService('web');
  assert.equal(stop.ok, true, stop.message);
  assert.deepEqual(stopped, ['web#1', 'web#2']);
});

test('the fronts\' launcher passes every other service, and what the launcher below knows of containers, through', async () => {
  const launched: string[] = [];
  const base: Launcher = {
    runner: 'process',
    launch: async (spec) => { launched.push(spec.service); return { service: spec.service, pid: 7, runner: 'process', exited: false, stop: async () => undefined, onExit: () => () => undefined }; },
    containerPortOf: (service) => (service === 'db' ? 5432 : null),
  };
  const launcher = withFronts(base, { stack: () => ({ services: {} }), port: () => undefined, health: () => undefined, onHealthy: () => () => undefined });
  assert.equal(launcher.containerPortOf?.('db'), 5432);
  assert.equal(launcher.containerPortOf?.('api'), null);
  assert.equal((await launcher.launch({ service: 'api', name: 'api', command: 'node api.js', cwd: '/ws', env: {} })).pid, 7);
  assert.deepEqual(launched, ['api']);
});
