// How compose services join the stack and run: the merge (manito.json wins a name), the launcher's
// routing (compose services through the runner, the rest to the launcher it wraps), one container
// shared by the ports of one compose service, a container that stops on its own, and the clear
// sentence a real ComposeRunner gives when no Compose CLI is installed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import { NO_COMPOSE } from '../../../server/compose/composeCli';
import { ComposeLauncher } from '../../../server/compose/composeLauncher';
import type { ComposeServiceDefinition } from '../../../server/compose/composeModel';
import { ComposeRunner } from '../../../server/compose/composeRunner';
import { composeCommand, mergeComposeServices } from '../../../server/compose/composeServices';
import { composeProject } from '../../../server/compose/composeModel';
import { readComposeFile } from '../../../server/compose/composeFile';
import type { ContainerSummary } from '../../../server/compose/dockerEngine';
import type { LaunchedService, Launcher } from '../../../server/launch/launcher';
import type { LaunchSpec } from '../../../server/launch/launchEnv';

const def = (name: string, composeService: string, containerPort: number): ComposeServiceDefinition => ({
  name, composeService, containerPort, kind: 'http', config: { preferred: [containerPort], kind: 'http', description: `compose ${composeService}` },
});
const definitions = [def('web', 'web', 80), def('web-8443', 'web', 8443), def('cache', 'cache', 6379)];
/** What the served stack launches for a compose service: the command mergeComposeServices gave it. */
const spec = (service: string, composeService = service): LaunchSpec => ({ service, name: service, command: composeCommand(composeService), cwd: '/ws', env: {} });

test('merge: compose services join the stack with the command they run by; a name manito.json uses stays manito.json\'s', () => {
  const stack: StackConfig = { services: { cache: { preferred: [7000], command: 'redis-server' } } };
  const merged = mergeComposeServices(stack, definitions);
  assert.deepEqual(Object.keys(merged.services), ['cache', 'web', 'web-8443']);
  assert.equal(merged.services.cache, stack.services.cache);
  assert.equal(merged.services.web!.command, 'docker compose up -d web');
  assert.deepEqual(merged.services.web!.preferred, [80]);
  assert.equal(mergeComposeServices(merged, definitions), merged, 'merging again adds nothing and keeps the object');
});

class FakeRunner {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  running = new Map<string, ContainerSummary>();
  async start(service: string) {
    this.started.push(service);
    const c = { id: `${service}-id-0123456789`, name: `proj-${service}-1`, state: 'running', labels: {} };
    this.running.set(service, c);
    return { service, containerName: c.name, containerId: c.id };
  }
  async stop(service: string) {
    this.stopped.push(service);
    this.running.delete(service);
  }
  networksRemoved = 0;
  async removeNetworks() {
    this.networksRemoved++;
  }
  async containers(service?: string) {
    return [...this.running.entries()].filter(([s]) => !service || s === service).map(([, c]) => c);
  }
  /** The user's own containers of the same file, by compose service. */
  users = new Map<string, ContainerSummary>();
  async external(service?: string) {
    return [...this.users.entries()].filter(([s]) => !service || s === service).map(([, c]) => c);
  }
}

const base: Launcher = {
  runner: 'process',
  launch: async (s) => ({ service: s.service, pid: 4242, runner: 'process', exited: false, stop: async () => undefined, onExit: () => () => undefined }),
};

test('launcher: compose services through the runner, with their container; two ports of one container stop it once, with the last', async () => {
  const runner = new FakeRunner();
  const launcher = new ComposeLauncher({ base, runner, definitions, plan: () => new Map(), pollMs: 10_000 });
  assert.equal((await launcher.launch({ ...spec('api'), command: 'node api.js' })).pid, 4242, 'other services go to the wrapped launcher');
  assert.equal((await launcher.launch({ ...spec('web'), command: 'npm start' })).pid, 4242, 'a compose name the stack gives its own command runs that command');
  assert.deepEqual(runner.started, []);
  const web = await launcher.launch(spec('web'));
  const web8443 = await launcher.launch(spec('web-8443', 'web'));
  assert.deepEqual(runner.started, ['web', 'web']);
  assert.equal(web.container, 'proj-web-1');
  assert.equal(web.pid, null);
  await web.stop();
  assert.deepEqual(runner.stopped, [], 'the other port of the container still runs');
  assert.equal(web.exited, true);
  await web8443.stop();
  assert.deepEqual(runner.stopped, ['web']);
  assert.equal(runner.networksRemoved, 1, 'the last container of ours gone, the project\'s network goes');
});

test('launcher: the user\'s own container of the same compose service is reported as external at start and left running at stop', async () => {
  const runner = new FakeRunner();
  runner.users.set('web', { id: 'users-id', name: 'shop-web-1', state: 'running', labels: { 'com.docker.compose.project': 'shop' } });
  const lines: string[] = [];
  const launcher = new ComposeLauncher({ base, runner, definitions, plan: () => new Map(), pollMs: 10_000, log: (line) => lines.push(line) });
  const web = await launcher.launch(spec('web'));
  assert.ok(lines.includes('External container shop-web-1 (running, Compose project shop) of compose service web: not started by Manito, Manito leaves it alone'), lines.join('\n'));
  await web.stop();
  await launcher.launch(spec('web-8443', 'web')).then((w) => w.stop());
  assert.deepEqual(runner.stopped, ['web', 'web']);
  assert.ok(runner.users.has('web'), 'the user\'s container is not stopped');
  assert.ok(lines.includes('External container shop-web-1 (running, Compose project shop) of compose service web: not started by Manito, left running'), lines.join('\n'));
  assert.equal(launcher.containerPortOf('web-8443'), 8443);
  assert.equal(launcher.containerPortOf('api'), null);
});

test('merge into an inferred stack: an inferred service describing a compose service under another name gives way to it, and references follow', () => {
  // What inference makes of `cache` (image redis) once its name collided: `redis`, run by redis-server.
  const inferred: StackConfig = { services: {
    redis: { preferred: [6379], kind: 'redis', command: 'redis-server --port ${port}' },
    api: { preferred: [3000], command: 'node api.js', dependsOn: ['redis'] },
  } };
  const provenance = {
    redis: { from: ['docker-compose.yml services.cache (image redis:7)'], port: 'x', env: {}, dependsOn: {}, compose: 'cache' },
    api: { from: ['package.json scripts.start'], port: 'y', env: {}, dependsOn: {} },
  };
  const merged = mergeComposeServices(inferred, definitions, provenance);
  assert.deepEqual(Object.keys(merged.services).sort(), ['api', 'cache', 'web', 'web-8443']);
  assert.equal(merged.services.cache!.command, 'docker compose up -d cache', 'compose runs the container');
  assert.deepEqual(merged.services.api!.dependsOn, ['cache']);
  assert.equal(mergeComposeServices(merged, definitions, provenance), merged, 'merging again changes nothing');
  // An app compose also builds runs here as inferred: its compose service gives way, and references follow it.
  const app: StackConfig = { services: { 'web-app': { preferred: [80], command: 'npm run dev' }, worker: { preferred: [9], command: 'node w.js' } } };
  const appProvenance = { 'web-app': { from: ['package.json'], port: 'z', env: {}, dependsOn: {}, compose: 'web', composeRunsLocally: true as const } };
  const withApp = mergeComposeServices(app, [...definitions, { ...def('jobs', 'jobs', 9000), config: { preferred: [9000], dependsOn: ['web'] } }], appProvenance);
  assert.deepEqual(Object.keys(withApp.services).sort(), ['cache', 'jobs', 'web-app', 'worker']);
  assert.deepEqual(withApp.services.jobs!.dependsOn, ['web-app']);
  // manito.json (no provenance) keeps its own names: the user wrote them.
  assert.ok('redis' in mergeComposeServices(inferred, definitions).services);
});

test('launcher: a container that stops on its own ends its service', async () => {
  const runner = new FakeRunner();
  const launcher = new ComposeLauncher({ base, runner, definitions, plan: () => new Map(), pollMs: 20 });
  const cache = await launcher.launch(spec('cache'));
  const exited = new Promise<LaunchedService>((resolve) => cache.onExit(() => resolve(cache)));
  runner.running.set('cache', { ...runner.running.get('cache')!, state: 'exited' });
  // The launcher's poll is unref'd (it must not keep a host alive): hold the loop open while waiting for it.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    assert.equal((await exited).exited, true);
  } finally {
    clearInterval(keepAlive);
  }
});

test('launcher over a real ComposeRunner without any Compose CLI: the start fails with the sentence naming what to install', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-compose-launch-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n');
  const read = readComposeFile(path.join(dir, 'compose.yaml'), dir);
  assert.ok(read.ok);
  const project = composeProject(read.document, {});
  const runner = new ComposeRunner({ project, workspace: dir, stateDir: path.join(dir, 'state'), env: { PATH: path.join(dir, 'no-bin') }, vars: {} });
  const launcher = new ComposeLauncher({ base, runner, definitions: [def('web', 'web', 80)], plan: () => new Map() });
  await assert.rejects(launcher.launch(spec('web')), (error: Error) => error.message === NO_COMPOSE);
});

test('launcher over a real ComposeRunner with Compose installed but no daemon: the start fails with the sentence saying to start one', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-compose-launch-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n');
  const read = readComposeFile(path.join(dir, 'compose.yaml'), dir);
  assert.ok(read.ok);
  const socket = path.join(dir, 'docker.sock');
  const runner = new ComposeRunner({
    project: composeProject(read.document, {}), workspace: dir, stateDir: path.join(dir, 'state'), vars: {},
    env: { DOCKER_HOST: `unix://${socket}` }, cli: { generation: 'v1', command: 'docker-compose', prefix: [], version: '1.29.2' },
  });
  const launcher = new ComposeLauncher({ base, runner, definitions: [def('web', 'web', 80)], plan: () => new Map() });
  await assert.rejects(launcher.launch(spec('web')), (error: Error) => error.message.startsWith(`No Docker daemon answers at unix://${socket} (ENOENT): start it`));
});
