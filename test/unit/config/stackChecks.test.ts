// The rules a schema cannot say (issue 13 item 3), each at its edge: names that map to one
// variable, a cwd that leaves the workspace, ports of the host's own range, `${ports.x}` resolved
// at load, chain lengths; and model building that stays linear on chains of 20,000.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { CONFIG_BOUNDS } from '../../../protocol/configBounds';
import { DEFAULT_HOST_PORTS, type StackConfig } from '../../../protocol/config';
import { stackIssues } from '../../../server/config/stackChecks';
import { validateStack } from '../../../server/config/validateStack';
import { buildModel } from '../../../server/engine/plan/stackModel';

const messages = (stack: StackConfig, workspace?: string) => stackIssues(stack, workspace ? { workspace } : {}).map((i) => `${i.path}: ${i.message}`);

test('two names that map to one MANITO_<NAME>_PORT are refused; distinct ones are fine', () => {
  assert.deepEqual(messages({ services: { 'a b': {}, 'a/b': {}, 'A-B': {}, ab: {} } }), [
    'services["a/b"]: a/b: "a b" and "a/b" would both set MANITO_A_B_PORT; rename one of them',
    'services["A-B"]: A-B: "a b" and "A-B" would both set MANITO_A_B_PORT; rename one of them',
  ]);
});

test('cwd stays inside the workspace unless cwdOutsideWorkspace allows it', () => {
  const ws = path.resolve('/work/space');
  assert.deepEqual(messages({
    services: {
      up: { cwd: '../../..' }, sneaky: { cwd: 'a/../../b' }, abs: { cwd: '/etc' },
      inside: { cwd: 'packages/api' }, dotdotName: { cwd: '..hidden/x' }, absInside: { cwd: path.join(ws, 'api') },
      allowed: { cwd: '../shared', cwdOutsideWorkspace: true },
    },
  }, ws), [
    'services.up.cwd: up: cwd "../../.." is outside the workspace; set "cwdOutsideWorkspace": true to allow it',
    'services.sneaky.cwd: sneaky: cwd "a/../../b" is outside the workspace; set "cwdOutsideWorkspace": true to allow it',
    'services.abs.cwd: abs: cwd "/etc" is outside the workspace; set "cwdOutsideWorkspace": true to allow it',
  ]);
});

test('a service may not prefer a port of the host\'s own range or of host.ports', () => {
  const first = DEFAULT_HOST_PORTS[0]!;
  const last = DEFAULT_HOST_PORTS[DEFAULT_HOST_PORTS.length - 1]!;
  assert.deepEqual(messages({ host: { ports: [50000] }, services: { a: { preferred: [first - 1, first, last, last + 1, 50000] } } }), [
    `services.a.preferred[1]: a: port ${first} is the Manito host's own (${first}-${last} and host.ports); pick another`,
    `services.a.preferred[2]: a: port ${last} is the Manito host's own (${first}-${last} and host.ports); pick another`,
    `services.a.preferred[4]: a: port 50000 is the Manito host's own (${first}-${last} and host.ports); pick another`,
  ]);
});

test('every ${ports.x} in command, env and a command health check names a service, at load', () => {
  assert.deepEqual(messages({
    services: {
      db: {},
      api: { command: 'run ${port} ${ports.db} ${ports.dbb}', env: { URL: 'x:${ports.nope}', OK: '${ports.db}' }, health: { type: 'command', command: 'check ${ports.}' } },
    },
  }), [
    'services.api.command: api: ${ports.dbb} names unknown service "dbb"',
    'services.api.env.URL: api: ${ports.nope} names unknown service "nope"',
    'services.api.health.command: api: ${ports.} names unknown service ""',
  ]);
});

function chain(n: number, key: 'inheritFrom' | 'dependsOn'): StackConfig {
  const services: StackConfig['services'] = { s0: { preferred: [3000] } };
  for (let i = 1; i < n; i++) services[`s${i}`] = key === 'inheritFrom' ? { inheritFrom: `s${i - 1}` } : { dependsOn: [`s${i - 1}`] };
  return { services };
}

test('chains are bounded: exactly the bound is accepted, one more is refused with one message', () => {
  const max = CONFIG_BOUNDS.maxChainLength;
  assert.deepEqual(validateStack(chain(max + 1, 'inheritFrom')), [], `${max} inheritFrom links`);
  assert.deepEqual(messages(chain(max + 2, 'inheritFrom')), [`services.s${max + 1}.inheritFrom: s${max + 1}: inheritFrom chain of more than ${max} links; at most ${max} are allowed`]);
  assert.deepEqual(validateStack(chain(max, 'dependsOn')), [], `${max} services on a dependsOn chain`);
  assert.deepEqual(messages(chain(max + 1, 'dependsOn')), [`services.s${max}.dependsOn: s${max}: dependsOn chain of ${max + 1} services; at most ${max} are allowed`]);
});

test('chains of 20,000 are checked and modelled in one pass each, without recursion', () => {
  // Past the loader's service bound on purpose: the checks and the model must not depend on it.
  const inherit = chain(20_000, 'inheritFrom');
  const issues = stackIssues(inherit);
  assert.equal(issues.length, 1, 'one message for the one over-long chain');
  const model = buildModel(inherit);
  assert.equal(model.roots.length, 1);
  assert.equal(model.inheritors.length, 19_999);
  assert.equal(model.inheritors[0], 's1');
  assert.equal(model.inheritors[19_998], 's19999');
  assert.equal(model.services.get('s19999')!.root, 's0');
  assert.equal(stackIssues(chain(20_000, 'dependsOn')).length, 1);
  const cycle = chain(20_000, 'dependsOn');
  cycle.services.s0!.dependsOn = ['s19999'];
  const [c] = stackIssues(cycle);
  assert.match(c!.message, /^dependsOn cycle: s0 -> s19999 -> .* -> s1 -> s0$/);
});

test('inheritors come after their parents whatever the declared order', () => {
  const model = buildModel({ services: { c: { inheritFrom: 'b' }, b: { inheritFrom: 'a' }, a: { preferred: [3000] }, d: { inheritFrom: 'a' } } });
  assert.deepEqual(model.inheritors, ['b', 'd', 'c']);
  assert.deepEqual(['c', 'b', 'd'].map((n) => model.services.get(n)!.root), ['a', 'a', 'a']);
});
