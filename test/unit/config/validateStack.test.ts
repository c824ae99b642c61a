// Config validation: cycles, unknown names and bad values come back with a JSON path and a
// message naming the service; the engine refuses such a stack with all of them in its error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getNodeValue, parseTree } from 'jsonc-parser';
import { DEFAULT_STACK } from '../../../protocol/config';
import { parseConfigText } from '../../../server/config/loadConfig';
import { InvalidStackError, validateStack } from '../../../server/config/validateStack';
import { PortEngine } from '../../../server/engine/portEngine';

const messages = (v: unknown) => validateStack(v).map((i) => `${i.path}: ${i.message}`);

test('the default stack is valid', () => {
  assert.deepEqual(validateStack(DEFAULT_STACK), []);
});

test('inheritance and dependsOn cycles are rejected naming every service on the cycle', () => {
  const issues = messages({
    services: {
      a: { inheritFrom: 'b' }, b: { inheritFrom: 'c' }, c: { inheritFrom: 'a' },
      x: { dependsOn: ['y'] }, y: { dependsOn: ['x'] },
    },
  });
  assert.deepEqual(issues, [
    'services.c.inheritFrom: inheritance cycle: a -> b -> c -> a',
    'services.y.dependsOn[0]: dependsOn cycle: x -> y -> x',
  ]);
});

test('unknown names in conflicts, inheritFrom and dependsOn name both services', () => {
  assert.deepEqual(messages({
    services: { server: { preferred: [3000], conflicts: ['clinet'], dependsOn: ['db'] }, ws: { inheritFrom: 'sever' } },
  }), [
    'services.server.conflicts[0]: server: conflicts names unknown service "clinet"',
    'services.server.dependsOn[0]: server: dependsOn names unknown service "db"',
    'services.ws.inheritFrom: ws: inheritFrom names unknown service "sever"; did you mean "server"?',
  ]);
});

test('schema failures are worded for a person: the service, the setting, what is allowed, what was given', () => {
  assert.deepEqual(messages({
    strategy: 'greedy',
    colour: 'red',
    services: {
      client: { preferred: [5173, 0, 5173, 70000, 5174.5], kind: 'react', prot: 1 },
      ws: { inheritFrom: 'client', strict: true },
      lone: { strict: true },
      'api-gw': { health: { type: 'http', path: 'health', expectStatus: 99, retries: 3 } },
      probe: { health: { type: 'command' } },
      bad: { health: { type: 'ping' } },
    },
  }), [
    'colour: unknown key "colour"',
    'strategy: strategy must be one of minimal, aggressive, conservative, got "greedy"',
    'services.client.prot: client: unknown key "prot"',
    'services.client.preferred[1]: client: preferred[1]: A port number is an integer from 1 to 65535, got 0',
    'services.client.preferred[3]: client: preferred[3]: A port number is an integer from 1 to 65535, got 70000',
    'services.client.preferred[4]: client: preferred[4]: A port number is an integer from 1 to 65535, got 5174.5',
    'services.client.preferred[2]: client: preferred: 5173 appears twice (also at [0])',
    'services.client.kind: client: kind must be one of http, vite, websocket, postgres, redis, prometheus, tcp, got "react"',
    "services.ws.strict: ws: strict makes no sense with inheritFrom: the port is always the other service's, got true",
    'services.lone.preferred: lone: strict needs at least one preferred port',
    'services["api-gw"].health.retries: api-gw: unknown key "retries" in health',
    'services["api-gw"].health.path: api-gw: health.path must start with "/", got "health"',
    'services["api-gw"].health.expectStatus: api-gw: health.expectStatus must be from 100 to 599, got 99',
    'services.probe.health.command: probe: health.command is required',
    'services.bad.health.type: bad: health.type must be one of tcp, http, command, auto, got "ping"',
  ]);
});

test('a service cannot inherit from itself, nor name itself in dependsOn or conflicts', () => {
  assert.deepEqual(messages({ services: { self: { inheritFrom: 'self' }, loop: { dependsOn: ['loop'], conflicts: ['loop'] } } }), [
    'services.self.inheritFrom: self: a service cannot inherit from itself',
    'services.loop.conflicts[0]: loop: a service cannot list itself in conflicts',
    'services.loop.dependsOn[0]: loop: a service cannot list itself in dependsOn',
  ]);
});

test('service names that clash with the keys of /api/ports data, or with __proto__, are rejected', () => {
  const issues = validateStack(JSON.parse('{"services":{"environment":{"preferred":[4000]},"urls":{"inheritFrom":"environment"},"__proto__":{},"web":{"preferred":[4001]}}}'));
  assert.deepEqual(issues.map((i) => i.path), ['services.environment', 'services.urls', 'services.__proto__']);
  assert.match(issues[0].message, /^"environment": A service name must not be .*reserved: \/api\/ports/);
  assert.deepEqual(issues[1].segments, ['services', 'urls']);
  assert.deepEqual(validateStack({ services: { Environment: {}, url: {}, constructor: {}, toString: {} } }), []);
});

test('segments are given for jsonc-parser, and non-objects are rejected', () => {
  const [issue] = validateStack({ services: { client: { preferred: [1, 1] } } });
  assert.deepEqual(issue.segments, ['services', 'client', 'preferred', 1]);
  assert.deepEqual(messages(null), [': the stack must be an object, got null']);
  assert.deepEqual(messages([]), [': the stack must be an object, got an array']);
  assert.deepEqual(messages({}), ['services: services is required']);
});

test('null-prototype objects where names belong are reported, not thrown on (issue 13)', () => {
  const value = getNodeValue(parseTree('{"services":{"api":{"preferred":[3000],"inheritFrom":{}},"b":{"dependsOn":[{}],"conflicts":[{"__proto__":1}]}}}')!);
  assert.deepEqual(messages(value), [
    'services.api.preferred: api: preferred has no effect with inheritFrom: the service always has the port of the service it inherits from',
    'services.api.inheritFrom: api: inheritFrom must be a string, got an object',
    'services.b.conflicts[0]: b: conflicts[0] must be a string, got an object',
    'services.b.dependsOn[0]: b: dependsOn[0] must be a string, got an object',
  ]);
});

test('the engine refuses an invalid stack with an error listing the messages', () => {
  assert.throws(
    () => new PortEngine({ stack: { services: { a: { inheritFrom: 'b' }, b: { inheritFrom: 'a' } } }, workspace: '/w', registryPath: '/nonexistent/leases.json' }),
    (error: unknown) => error instanceof InvalidStackError && /inheritance cycle: a -> b -> a/.test(error.message) && error.issues.length === 1,
  );
  assert.throws(() => new PortEngine({ stack: DEFAULT_STACK, workspace: 42 as unknown as string }), { name: 'TypeError', message: 'PortEngine: `workspace` must be a string' });
});

test('an unknown key and a bad service name are placed at the name; a bad value at the value', () => {
  const text = '{"services":{\n  "w": {"prefered": [1]},\n  "urls": {},\n  "v": {"preferred": [0]}}}';
  const problems = parseConfigText(text).problems.map((p) => `${p.line}:${p.column}-${p.endColumn} ${p.path}`);
  assert.deepEqual(problems.sort(), ['2:9-19 services.w.prefered', '3:3-9 services.urls', '4:23-24 services.v.preferred[0]']);
});
