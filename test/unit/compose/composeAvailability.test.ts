// Saying clearly when Compose or the Docker daemon is not there: real commands on a PATH that has
// them or not, sockets nobody answers. The installed CLI and daemon are tested in test/host/compose.test.ts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { detectComposeCli, failureTail, NO_COMPOSE, runCommand } from '../../../server/compose/composeCli';
import { DockerEngine, dockerEndpoint } from '../../../server/compose/dockerEngine';

function tempDir(t: { after(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function executable(dir: string, name: string, script: string): void {
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
}

test('neither CLI on PATH: one sentence naming what to install', async (t) => {
  const empty = tempDir(t);
  const found = await detectComposeCli(runCommand, { PATH: empty });
  assert.deepEqual(found, { unavailable: NO_COMPOSE });
  assert.match(NO_COMPOSE, /apt-get install docker-compose/);
  assert.match(NO_COMPOSE, /^Docker Compose is not installed: /);
});

test('detection prefers `docker compose` (v2), then `docker-compose` of either generation', async (t) => {
  const bin = tempDir(t);
  // The docker CLI here has no compose plugin: it answers as Docker does without one.
  executable(bin, 'docker', 'echo "docker: \'compose\' is not a docker command." >&2; exit 1');
  executable(bin, 'docker-compose', '[ "$1 $2" = "version --short" ] && echo 1.29.2');
  assert.deepEqual(await detectComposeCli(runCommand, { PATH: `${bin}:/usr/bin:/bin` }), { generation: 'v1', command: 'docker-compose', prefix: [], version: '1.29.2' });
  executable(bin, 'docker-compose', 'echo v2.27.0');
  assert.deepEqual(await detectComposeCli(runCommand, { PATH: `${bin}:/usr/bin:/bin` }), { generation: 'v2', command: 'docker-compose', prefix: [], version: '2.27.0' });
  executable(bin, 'docker', '[ "$1 $2 $3" = "compose version --short" ] && echo 2.29.1');
  assert.deepEqual(await detectComposeCli(runCommand, { PATH: `${bin}:/usr/bin:/bin` }), { generation: 'v2', command: 'docker', prefix: ['compose'], version: '2.29.1' });
});

test('a command that runs too long is stopped and said so; output is kept as its tail', async () => {
  const slow = await runCommand('sh', ['-c', 'echo started; exec sleep 30'], { timeoutMs: 300 });
  assert.match(slow.error ?? '', /^sh -c echo started; exec sleep 30 did not finish within 0 s$/);
  const failed = await runCommand('sh', ['-c', 'for i in 1 2 3 4 5 6 7 8; do echo line $i >&2; done; exit 3'], { timeoutMs: 10_000 });
  assert.equal(failed.code, 3);
  assert.equal(failureTail(failed, 2), 'line 7\nline 8');
});

test('no daemon, a refusing socket, an unsupported DOCKER_HOST: each one sentence', async (t) => {
  const dir = tempDir(t);
  const missing = path.join(dir, 'docker.sock');
  await assert.rejects(new DockerEngine({ DOCKER_HOST: `unix://${missing}` }).ping(),
    new RegExp(`^Error: No Docker daemon answers at unix://${missing} \\(ENOENT\\): start it \\(sudo systemctl start docker, or sudo dockerd\\)`));
  await assert.rejects(new DockerEngine({ DOCKER_HOST: 'ssh://me@box' }).ping(), /DOCKER_HOST=ssh:\/\/me@box is not a unix socket/);
  assert.ok('unsupported' in dockerEndpoint({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }));
  assert.deepEqual(dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }), { host: '127.0.0.1', port: 2375, label: 'tcp://127.0.0.1:2375' });
});
