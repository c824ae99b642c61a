// The last line of a service's tooltip in the Services tree: how it runs, in a sentence that reads
// on its own for every runner state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runnerLine } from '../../../extension/runnerLine';

const service = { name: 'web_app', runner: null, pid: null, hasCommand: true, reason: 'preferred' } as const;

test('every runner state reads as a sentence of its own', () => {
  assert.equal(runnerLine(service), 'Not running');
  assert.equal(runnerLine({ ...service, hasCommand: false }), 'Not started by Manito (no command)');
  assert.equal(runnerLine({ ...service, hasCommand: false, reason: 'inherited' }), 'Served by the process whose port it inherits');
  assert.equal(runnerLine({ ...service, runner: 'detected', pid: 4242 }), 'External: found running, not started by Manito (Stop asks first) · pid 4242');
  assert.equal(runnerLine({ ...service, runner: 'process', pid: 18 }), 'Runs as a process Manito started · pid 18');
  assert.equal(runnerLine({ ...service, runner: 'process', instances: { total: 3, healthy: 2 } }), 'Front port served by the Manito host, round-robin over its instances');
});

test('a compose service shows its container and the published mapping, never a PORT it does not get', () => {
  const line = runnerLine({ ...service, runner: 'process', container: 'manito-shop-1a2b3c4d-web-1', published: { hostIp: '127.0.0.1', hostPort: 5012, containerPort: 80 } });
  assert.equal(line, 'Runs in container "manito\\-shop\\-1a2b3c4d\\-web\\-1" (docker compose)\n\nPublished 127.0.0.1:5012 → container port 80: Docker maps it, no PORT is passed to the container');
  assert.doesNotMatch(line, /PORT=/);
});
