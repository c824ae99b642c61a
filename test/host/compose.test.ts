// A compose service whose published port a foreign process holds comes up, with real Docker and
// the installed Compose CLI, on the port Manito's engine allocated; Stop removes its container and
// nothing else: the user's own container keeps running and the user's compose file is unchanged.
// Docker publishes ports in the daemon's network namespace: under `unshare -n` this file re-runs
// itself there (see support/dockerSupport.ts).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readComposeFile } from '../../server/compose/composeFile';
import { detectComposeCli, runCommand } from '../../server/compose/composeCli';
import { composeDefinitions, composeProject } from '../../server/compose/composeModel';
import { ComposeRunner } from '../../server/compose/composeRunner';
import { projectVariables } from '../../server/compose/interpolate';
import { createProbe } from '../../server/health/probes';
import { createEngine } from '../../server/host/createEngine';
import { daemonNetns, docker, requireDockerAndImage, runInDaemonNetns, TEST_IMAGE } from './support/dockerSupport';
import { exitOf, getJson, makeWorkspace, startHeadless, until, type HostProcess } from './support/hostProcess';
import type { ServiceView } from '../../protocol/model';

const TIMEOUT_MS = 8 * 60_000;

/** An HTTP listener in its own process that says who it is: the port's foreign holder. */
async function foreignHttp(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('foreign')).listen(${port}, '127.0.0.1', () => console.log('up'))`],
    { cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the foreign listener exited with ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  return child;
}

/**
 * Distinct free ports from get-port, which also keeps this process from being handed one twice
 * (other helpers' tests share the daemon's namespace, where published ports live).
 */
async function freePorts(n: number): Promise<number[]> {
  // get-port is an ES module; this file is CommonJS (it re-runs itself by __filename).
  const { default: getPort } = await import('get-port');
  const out = new Set<number>();
  while (out.size < n) out.add(await getPort({ host: '127.0.0.1' }));
  return [...out];
}

async function body(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/`)).text();
}

const netns = daemonNetns();

if (netns) {
  test('compose (re-run in the Docker daemon\'s network namespace, where published ports are)', { timeout: TIMEOUT_MS }, async () => {
    const { code, output } = await runInDaemonNetns(netns, __filename, TIMEOUT_MS - 10_000);
    assert.equal(code, 0, `the compose tests failed in the daemon's namespace (run as root, or outside unshare -n):\n${output}`);
    assert.match(output, /# pass [1-9]|ℹ pass [1-9]/);
  });
} else {
  test('a compose service comes up on the allocated port past a foreign holder, and Stop removes only its container: the user\'s own containers of the same image and the same file keep running, reported as external', { timeout: TIMEOUT_MS }, async (t) => {
    requireDockerAndImage();
    const cli = await detectComposeCli();
    assert.ok(!('unavailable' in cli), `${'unavailable' in cli ? cli.unavailable : ''} (CI installs it: scripts/install-system-packages.sh --tests)`);

    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-compose-'));
    const ws = path.join(base, 'shop');
    const stateDir = path.join(base, 'state');
    fs.mkdirSync(path.join(ws, 'www'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'www', 'index.html'), 'served from the user\'s folder\n');
    const [held, usersPort, usersComposePort] = await freePorts(3);
    const composeText = [
      'services:',
      '  web:',
      `    image: ${TEST_IMAGE}`,
      `    container_name: shop-web-${process.pid}`,
      '    ports:',
      `      - "\${WEB_PORT}:80"`,
      '    volumes:',
      '      - ./www:/www:ro',
      '',
    ].join('\n');
    const composeFile = path.join(ws, 'docker-compose.yml');
    fs.writeFileSync(composeFile, composeText);
    fs.writeFileSync(path.join(ws, '.env'), `WEB_PORT=${held}\n`);

    const foreign = await foreignHttp(held!);
    // The user's own container, started without Manito: it must outlive everything below.
    const usersContainer = docker(['run', '-d', '--name', `manito-test-users-${process.pid}`, '-p', `127.0.0.1:${usersPort}:80`, TEST_IMAGE]);
    const env = { ...process.env, MANITO_STATE_DIR: stateDir };
    // The user's own `compose up` of the very same file, under the user's project and on another port.
    const usersCompose = [...cli.prefix, '-f', composeFile, '-p', `shop${process.pid}`];
    const up = await runCommand(cli.command, [...usersCompose, 'up', '-d'], { cwd: ws, env: { ...env, WEB_PORT: String(usersComposePort) }, timeoutMs: 180_000 });
    assert.equal(up.code, 0, up.stderr);
    let runner: ComposeRunner | undefined;
    t.after(async () => {
      await runner?.stopAll().catch(() => undefined);
      await runCommand(cli.command, [...usersCompose, 'down'], { cwd: ws, env: { ...env, WEB_PORT: String(usersComposePort) }, timeoutMs: 180_000 });
      docker(['rm', '-f', usersContainer]);
      foreign.kill('SIGKILL');
      await exitOf(foreign);
      fs.rmSync(base, { recursive: true, force: true });
    });

    const read = readComposeFile(composeFile);
    assert.ok(read.ok, JSON.stringify(!read.ok && read.problems));
    const vars = projectVariables(ws, env);
    const project = composeProject(read.document, vars);
    assert.deepEqual(project.problems, []);
    const [def] = composeDefinitions(project);
    assert.deepEqual([def!.name, def!.containerPort, def!.kind, def!.config.preferred], ['web', 80, 'http', [held]]);

    // The real engine allocates, as for any service: the preferred port is held, so it falls back.
    const engine = createEngine({ services: { [def!.name]: def!.config } }, { workspace: ws, env });
    const assignment = (await engine.allocateAll()).get('web')!;
    t.after(() => engine.dispose());
    assert.equal(assignment.reason, 'fallback', assignment.explanation);
    assert.notEqual(assignment.port, held);
    assert.match(assignment.explanation, new RegExp(`${held} is held by pid ${foreign.pid}`));

    runner = new ComposeRunner({ project, workspace: ws, stateDir, env, vars, cli });
    const started = await runner.start('web', new Map([['web', new Map([[80, assignment.port]])]]));
    assert.match(started.containerName, new RegExp(`^${runner.projectName}[_-]web[_-]1$`));
    assert.notEqual(started.containerName, `shop-web-${process.pid}`, 'the user\'s container_name is not taken');

    // Health through the host port, with the probe the health monitor runs for an http service.
    const probe = createProbe(() => true);
    const health = await probe({ service: 'web', kind: 'http', port: assignment.port, cwd: ws });
    assert.ok(health.ok, health.detail);
    assert.equal(await body(assignment.port), 'served from the user\'s folder\n', 'relative volumes resolve in the user\'s folder');
    assert.equal(await body(held!), 'foreign', 'the foreign holder keeps its port');
    assert.equal(fs.readFileSync(composeFile, 'utf8'), composeText, 'the user\'s compose file is never edited');
    assert.match(fs.readFileSync(runner.derivedFile, 'utf8'), new RegExp(`"127\\.0\\.0\\.1:${assignment.port}:80"`));
    assert.ok(runner.derivedFile.startsWith(stateDir));

    // Identity by labels, never by port: the user's container of the same file is not ours, and is reported.
    assert.deepEqual((await runner.containers()).map((c) => c.id), [started.containerId]);
    assert.deepEqual((await runner.external('web')).map((c) => c.name), [`shop-web-${process.pid}`]);

    await runner.stop('web');
    assert.deepEqual(await runner.containers(), []);
    assert.equal(docker(['ps', '-a', '-q', '--filter', `name=^/${started.containerName}$`]), '', 'the container is gone');
    const after = await probe({ service: 'web', kind: 'http', port: assignment.port, cwd: ws });
    assert.equal(after.ok, false, 'nothing answers on the allocated port any more');
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', usersContainer]), 'true', 'the user\'s own container still runs');
    assert.equal(await body(usersPort!), '<h1>manito test httpd</h1>\n');
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', `shop-web-${process.pid}`]), 'true', 'the user\'s compose container of the same file still runs');
    assert.equal(await body(usersComposePort!), 'served from the user\'s folder\n');

    // Stop Stack: the project's network goes too; the user's container still runs.
    await runner.stopAll();
    assert.equal(docker(['network', 'ls', '-q', '--filter', `name=^${runner.projectName}_default$`]), '');
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', usersContainer]), 'true');
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', `shop-web-${process.pid}`]), 'true');
    assert.deepEqual((await runner.external()).map((c) => c.name), [`shop-web-${process.pid}`]);
  });
  test('through the real host: a compose service is a Manito service, Start Stack brings it up past a foreign holder on its allocated port, Stop Stack removes its container and leaves the user\'s own compose container of the file running, reported as external; an edit of the file re-serves the stack', { timeout: TIMEOUT_MS }, async (t) => {
    requireDockerAndImage();
    const [held, hostPort, usersPort] = await freePorts(3);
    const cli = await detectComposeCli();
    assert.ok(!('unavailable' in cli), 'unavailable' in cli ? cli.unavailable : '');
    // The daemon's namespace is shared: no proxy here, and the host on a port of its own.
    const ws = makeWorkspace({ host: { ports: [hostPort!] }, services: {} });
    ws.env.MANITO_PROXY = 'off';
    fs.mkdirSync(path.join(ws.dir, 'www'));
    fs.writeFileSync(path.join(ws.dir, 'www', 'index.html'), 'compose through the host\n');
    const composeText = ['services:', '  site:', `    image: ${TEST_IMAGE}`, '    ports:', `      - "\${SITE_PORT:-${held}}:80"`, '    volumes:', '      - ./www:/www:ro', ''].join('\n');
    fs.writeFileSync(path.join(ws.dir, 'compose.yaml'), composeText);
    const foreign = await foreignHttp(held!);
    // The user's own `compose up` of this file, on another port: external to Manito, whatever it does.
    const usersCompose = [...cli.prefix, '-f', path.join(ws.dir, 'compose.yaml'), '-p', `users${process.pid}`];
    const usersEnv = { ...process.env, SITE_PORT: String(usersPort) };
    const up = await runCommand(cli.command, [...usersCompose, 'up', '-d'], { cwd: ws.dir, env: usersEnv, timeoutMs: 180_000 });
    assert.equal(up.code, 0, up.stderr);
    let host: HostProcess | undefined;
    t.after(async () => {
      await host?.stop();
      // The test ends with a broken file: the user's `down` needs the real one back.
      fs.writeFileSync(path.join(ws.dir, 'compose.yaml'), composeText);
      await runCommand(cli.command, [...usersCompose, 'down'], { cwd: ws.dir, env: usersEnv, timeoutMs: 180_000 });
      for (const id of docker(['ps', '-a', '-q', '--filter', 'label=com.docker.compose.service=site']).split('\n').filter(Boolean)) {
        if (docker(['inspect', '-f', '{{index .Config.Labels "com.docker.compose.project.working_dir"}}', id]) === ws.dir) docker(['rm', '-f', id]);
      }
      foreign.kill('SIGKILL');
      await exitOf(foreign);
      ws.cleanup();
    });
    host = await startHeadless(ws);
    const auth = { 'content-type': 'application/json', 'x-manito-token': host.token };
    const view = async (): Promise<ServiceView> => ((await getJson(`${host!.url}/api/snapshot`)).body.data.services as ServiceView[]).find((s) => s.name === 'site')!;

    // Allocated like any service: its published port is held, so it gets another.
    const before = await view();
    assert.ok(before, 'the compose service is in the snapshot');
    assert.equal(before.kind, 'http');
    // The tree's tooltip shows this mapping; nothing claims a PORT passed to the container.
    assert.deepEqual(before.published, { hostIp: '127.0.0.1', hostPort: before.port, containerPort: 80 });
    assert.equal(before.env, undefined);
    assert.equal(before.reason, 'fallback', before.explanation);
    assert.notEqual(before.port, held);
    assert.match(before.explanation, new RegExp(`${held} is held by pid ${foreign.pid}`));
    assert.equal((await getJson(`${host.url}/api/ports`)).body.data.site, before.port);

    const started = await getJson(`${host.url}/api/stack/start`, { method: 'POST', headers: auth, body: '{}' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.ok ?? started.body.success, true, JSON.stringify(started.body));
    const running = await until(async () => {
      const v = await view();
      return v.health === 'healthy' && v.container ? v : undefined;
    }, 120_000, 'site healthy through its host port, in a container');
    assert.equal(running.port, before.port);
    assert.match(running.container!, /^manito-ws-[0-9a-f]{8}[_-]site[_-]1$/);
    assert.equal(await body(running.port!), 'compose through the host\n');
    assert.equal(await body(held!), 'foreign', 'the foreign holder keeps its port');
    assert.equal(fs.readFileSync(path.join(ws.dir, 'compose.yaml'), 'utf8'), composeText, 'the user\'s compose file is never edited');
    const external = new RegExp(`External container users${process.pid}[_-]site[_-]1 \\(running, Compose project users${process.pid}\\) of compose service site: not started by Manito, `);
    await host.waitForOutput(new RegExp(`${external.source}Manito leaves it alone`), 30_000);

    const stopped = await getJson(`${host.url}/api/stack/stop`, { method: 'POST', headers: auth, body: '{}' });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(docker(['ps', '-a', '-q', '--filter', `name=^/${running.container}$`]), '', 'the container is gone after Stop');
    await host.waitForOutput(new RegExp(`${external.source}left running`), 30_000);
    assert.equal(docker(['network', 'ls', '-q', '--filter', `name=^${running.container!.replace(/[_-]site[_-]1$/, '')}_default$`]), '', 'the project\'s network is gone too');
    assert.equal(await body(usersPort!), 'compose through the host\n', 'the user\'s own container of the same file still answers');
    const after = await until(async () => {
      const v = await view();
      return v.container === undefined && v.runner === null ? v : undefined;
    }, 30_000, 'site shown as stopped');
    assert.equal(after.port, running.port, 'the port stays allocated to it');
    await assert.rejects(body(running.port!), 'nothing answers on the allocated port any more');

    // The compose file is watched: a second published port joins the stack without a host restart;
    // broken YAML is logged with its line and the services read before stay.
    const [extraPort] = await freePorts(1);
    fs.writeFileSync(path.join(ws.dir, 'compose.yaml'), composeText.replace('    volumes:', `      - "${extraPort}:8080"\n    volumes:`));
    const extra = await until(async () => ((await getJson(`${host!.url}/api/snapshot`)).body.data.services as ServiceView[]).find((s) => s.name === 'site-8080'), 30_000, 'site-8080 served after the edit');
    assert.deepEqual(extra.published, { hostIp: '127.0.0.1', hostPort: extra.port, containerPort: 8080 });
    fs.writeFileSync(path.join(ws.dir, 'compose.yaml'), 'services:\n  site:\n    ports: ["1:80"\n');
    await host.waitForOutput(/compose\.yaml:\d+:\d+: /, 30_000);
    assert.ok(await view(), 'site is still served');
  });
}
