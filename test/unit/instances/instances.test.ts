// Issue 18 item 2, the pure parts: how `instances: N` expands into services, what manito.json may
// say about it (with positions), each instance's environment, the rows and /api/health entries,
// and when a dependent of a multi-instance service may start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import { instanceOf, instancesOf, isFront } from '../../../protocol/instances';
import type { ServiceView, StackSnapshot } from '../../../protocol/model';
import { parseConfigText } from '../../../server/config/loadConfig';
import { validateStack } from '../../../server/config/validateStack';
import { healthBody } from '../../../server/http/apiBodies';
import { expandInstances } from '../../../server/instances/expandInstances';
import { waitServing } from '../../../server/instances/frontHealth';
import { takesTraffic } from '../../../server/instances/frontLauncher';
import { withInstances } from '../../../server/instances/instanceViews';
import { buildLaunchSpec, LaunchEnvError } from '../../../server/launch/launchEnv';

const STACK: StackConfig = {
  services: {
    web: { preferred: [3000], command: 'node web.js', instances: 3, env: { SELF: '${port}' }, dependsOn: ['db'] },
    db: { preferred: [5432], kind: 'postgres' },
    api: { preferred: [4000], command: 'node api.js --second ${ports.web[2]}', dependsOn: ['web'] },
  },
};

test('instances: 3 serves web (the front, no command) and web#1..3 (the command, ports beside the front, the same dependencies)', () => {
  const served = expandInstances(STACK);
  assert.deepEqual(Object.keys(served.services), ['web', 'web#1', 'web#2', 'web#3', 'db', 'api']);
  assert.equal(served.services.web!.command, undefined);
  assert.deepEqual(served.services.web!.preferred, [3000]);
  assert.deepEqual(served.services['web#2'], { command: 'node web.js', env: { SELF: '${port}' }, dependsOn: ['db'], preferred: [3002], description: 'instance #2' });
  assert.equal(isFront(served.services.web), true);
  assert.deepEqual(instancesOf('web', served), ['web#1', 'web#2', 'web#3']);
  assert.deepEqual(instanceOf('web#3', served), { service: 'web', index: 3 });
  assert.equal(instanceOf('web#4', served), undefined);
  assert.equal(instanceOf('web#02', served), undefined);
  assert.equal(expandInstances(served), served, 'expanding again changes nothing');
  assert.deepEqual(validateStack(served), [], 'the served stack passes the engine\'s check');
  const edge = expandInstances({ services: { top: { preferred: [65534], command: 'x', instances: 3 }, near: { preferred: [41728], command: 'y', instances: 3 } } });
  assert.deepEqual(['top#1', 'top#2', 'near#1', 'near#2', 'near#3'].map((n) => edge.services[n]!.preferred), [[65535], undefined, [41729], undefined, undefined],
    'no instance prefers a port past 65535 or the host\'s own');
  assert.deepEqual(validateStack(edge), []);
  const plain: StackConfig = { services: { a: { command: 'x' } } };
  assert.equal(expandInstances(plain), plain);
});

test('front: false: no front listener; the service follows its first instance\'s port', () => {
  const served = expandInstances({ services: { web: { preferred: [3000], command: 'node web.js', instances: 2, front: false } } });
  assert.equal(served.services.web!.inheritFrom, 'web#1');
  assert.equal(served.services.web!.preferred, undefined);
  assert.equal(isFront(served.services.web), false);
  assert.deepEqual(Object.keys(served.services), ['web', 'web#1', 'web#2']);
  assert.deepEqual(validateStack(served), []);
});

test('manito.json: instances out of range, without a command, with inheritFrom, a taken name, a bad ${ports.x[i]}: errors with positions', () => {
  const text = JSON.stringify({
    services: {
      redis: { preferred: [6379], kind: 'redis', instances: 2 },
      web: { command: 'node web.js', instances: 2 },
      'web#2': { command: 'x' },
      ws: { inheritFrom: 'web', command: 'y', instances: 2 },
      api: { command: 'node api.js ${ports.web[3]} ${ports.redis[2]} ${ports.nope[1]}' }, // redis[2] is fine: it has 2
      big: { command: 'z', instances: 17 },
    },
  }, null, 2);
  const bounds = parseConfigText(text);
  assert.equal(bounds.stack, undefined);
  assert.match(bounds.problems.map((p) => p.message).join('\n'), /instances is an integer from 1 to 16/);
  const r = parseConfigText(text.replace('"instances": 17', '"instances": 16'));
  const got = r.problems.map((p) => `${p.line}: ${p.message}`);
  const lineOf = (needle: string, from = 0) => text.split('\n').findIndex((l, i) => i >= from && l.includes(needle)) + 1;
  assert.deepEqual(got.sort(), [
    `${lineOf('"api"') + 1}: api: \${ports.nope[1]} names unknown service "nope"`,
    `${lineOf('"api"') + 1}: api: \${ports.web[3]} asks for instance 3 of "web", which has instances 1 to 2`,
    `${lineOf('"instances": 2')}: redis: instances: 2 needs a "command": Manito starts each instance itself (a compose or backing service without one runs once)`,
    `${lineOf('"web#2"')}: web#2: this name is web's instance 2 (instances: 2); rename the service`,
    `${lineOf('"instances": 2', lineOf('"ws"'))}: ws: instances cannot be used with inheritFrom; each instance needs a port of its own`,
  ].sort());
});

test('each instance: its own PORT and MANITO_INSTANCE; everyone: MANITO_WEB_PORT (the front), MANITO_WEB_PORTS, ${ports.web[i]}', () => {
  const served = expandInstances(STACK);
  const ports = new Map([['web', 3000], ['web#1', 3001], ['web#2', 3002], ['web#3', 3003], ['db', 5432], ['api', 4000]]);
  const second = buildLaunchSpec({ service: 'web#2', config: served.services['web#2']!, ports, workspace: '/ws', stack: served });
  assert.equal(second.env.PORT, '3002');
  assert.equal(second.env.SELF, '3002');
  assert.equal(second.env.MANITO_INSTANCE, '2');
  assert.equal(second.env.MANITO_WEB_PORT, '3000');
  assert.equal(second.env.MANITO_WEB_PORTS, '3001,3002,3003');
  assert.equal(second.env.MANITO_DB_PORTS, '5432');
  assert.ok(!Object.keys(second.env).some((k) => k.startsWith('MANITO_WEB_1')), 'an instance has no MANITO_<NAME>_PORT of its own');
  const api = buildLaunchSpec({ service: 'api', config: served.services.api!, ports, workspace: '/ws', stack: served });
  assert.equal(api.command, 'node api.js --second 3002');
  assert.equal(api.env.MANITO_INSTANCE, undefined);
  const single = buildLaunchSpec({ service: 'api', config: { command: 'x ${ports.db[1]}' }, ports, workspace: '/ws', stack: served });
  assert.equal(single.command, 'x 5432', '[1] of a service that runs once is the service');
  assert.throws(() => buildLaunchSpec({ service: 'api', config: { command: 'x ${ports.web[4]}' }, ports, workspace: '/ws', stack: served }), LaunchEnvError);
});

const view = (name: string, health: ServiceView['health']): ServiceView => ({
  name, kind: 'http', port: 1, reason: 'preferred', explanation: '', url: null, health, healthSince: '2026-12-03T00:00:00.000Z',
  lastCheck: null, latencyMs: null, history: [], runner: null, pid: null, hasCommand: true, dependsOn: [],
});

test('rows: instances say whose they are; the service counts them ("3 instances: 2 healthy"); /api/health lists them under it', () => {
  const served = expandInstances(STACK);
  const rows = withInstances([view('web', 'healthy'), view('web#1', 'healthy'), view('web#2', 'unhealthy'), view('web#3', 'healthy'), view('db', 'healthy')], served);
  assert.deepEqual(rows[0]!.instances, { total: 3, healthy: 2 });
  assert.deepEqual(rows[2]!.instanceOf, { service: 'web', index: 2 });
  assert.equal(rows[4]!.instances, undefined);
  const snapshot = { workspace: '/ws', environment: 'development', host: { pid: 1, port: 2, version: '0', startedAt: '2026-12-03T00:00:00.000Z' }, services: rows, configErrors: [] } as unknown as StackSnapshot;
  const body = healthBody(snapshot, true, { connections: 0, startedAt: Date.now() });
  assert.deepEqual(Object.keys(body.services!).sort(), ['db', 'web', 'websocket']);
  assert.deepEqual(body.services!.web!.instances!.map((i) => [i.index, i.status]), [[1, 'healthy'], [2, 'unhealthy'], [3, 'healthy']]);
});

test('a dependent of a front waits for the front and one healthy instance, not all of them', async () => {
  const served = expandInstances(STACK);
  const healthy = new Map<string, boolean>([['web', true], ['web#1', false], ['web#2', true], ['web#3', false], ['db', true]]);
  const asked: string[] = [];
  const wait = waitServing(served, async (s) => { asked.push(s); return healthy.get(s) ?? false; });
  assert.equal(await wait('web', 1000), true);
  assert.deepEqual(asked.sort(), ['web', 'web#1', 'web#2', 'web#3']);
  healthy.set('web#2', false);
  assert.equal(await wait('web', 1000), false, 'no healthy instance: the front alone is not enough');
  healthy.set('web#3', true);
  healthy.set('web', false);
  assert.equal(await wait('web', 1000), false, 'the front must answer too');
  assert.equal(await wait('db', 1000), true);
});

test('the front sends traffic to an instance unless the monitor saw it fail or stop', () => {
  assert.deepEqual((['starting', 'healthy', 'unhealthy', 'stopped', undefined] as const).map(takesTraffic), [true, true, false, false, true]);
});
