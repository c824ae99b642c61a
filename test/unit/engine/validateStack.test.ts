// Config validation: cycles, unknown names and bad values come back with a JSON path and a
// message naming the service; the engine refuses such a stack with all of them in its error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STACK } from '../../../protocol/config';
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
    'services.ws.inheritFrom: ws: inheritFrom names unknown service "sever"',
  ]);
});

test('bad ports, duplicates, strict nonsense, unknown keys and bad enums', () => {
  assert.deepEqual(messages({
    strategy: 'greedy',
    colour: 'red',
    services: {
      client: { preferred: [5173, 0, 5173, 70000, 5174.5], kind: 'react', prot: 1 },
      ws: { inheritFrom: 'client', strict: true },
      lone: { strict: true },
      'api-gw': { health: { type: 'http', path: 'health', expectStatus: 99, retries: 3 } },
      self: { inheritFrom: 'self' },
    },
  }), [
    'colour: unknown key "colour"',
    'strategy: strategy must be one of minimal, aggressive, conservative, got "greedy"',
    'services.client.prot: client: unknown key "prot"',
    'services.client.preferred[1]: client: 0 is not a port number (an integer from 1 to 65535)',
    'services.client.preferred[2]: client: port 5173 appears twice (also at [0])',
    'services.client.preferred[3]: client: 70000 is not a port number (an integer from 1 to 65535)',
    'services.client.preferred[4]: client: 5174.5 is not a port number (an integer from 1 to 65535)',
    'services.client.kind: client: kind must be one of http, vite, websocket, postgres, redis, prometheus, tcp, got "react"',
    'services.ws.strict: ws: strict makes no sense with inheritFrom, the port is always client\'s',
    'services.lone.strict: lone: strict needs at least one preferred port',
    'services["api-gw"].health.retries: api-gw: unknown key "retries" in a http health check',
    'services["api-gw"].health.path: api-gw: health.path must start with "/"',
    'services["api-gw"].health.expectStatus: api-gw: health.expectStatus must be an HTTP status from 100 to 599',
    'services.self.inheritFrom: self: a service cannot inherit from itself',
  ]);
});

test('service names that clash with the keys of /api/ports data are rejected naming the service', () => {
  const issues = validateStack({ services: { environment: { preferred: [4000] }, urls: { inheritFrom: 'environment' }, web: { preferred: [4001] } } });
  assert.deepEqual(issues.map((i) => i.path), ['services.environment', 'services.urls']);
  assert.match(issues[0].message, /^service "environment" clashes with the "environment" key of \/api\/ports/);
  assert.match(issues[1].message, /^service "urls" clashes with the "urls" key of \/api\/ports/);
  assert.deepEqual(issues[1].segments, ['services', 'urls']);
  assert.deepEqual(validateStack({ services: { Environment: {}, url: {} } }), []);
});

test('segments are given for jsonc-parser, and non-objects are rejected', () => {
  const [issue] = validateStack({ services: { client: { preferred: [1, 1] } } });
  assert.deepEqual(issue.segments, ['services', 'client', 'preferred', 1]);
  assert.deepEqual(messages(null), [': the stack must be a JSON object']);
  assert.deepEqual(messages({}), ['services: services is required']);
});

test('the engine refuses an invalid stack with an error listing the messages', () => {
  assert.throws(
    () => new PortEngine({ stack: { services: { a: { inheritFrom: 'b' }, b: { inheritFrom: 'a' } } }, workspace: '/w', registryPath: '/nonexistent/leases.json' }),
    (error: unknown) => error instanceof InvalidStackError && /inheritance cycle: a -> b -> a/.test(error.message) && error.issues.length === 1,
  );
  assert.throws(() => new PortEngine({ stack: DEFAULT_STACK, workspace: 42 as unknown as string }), { name: 'TypeError', message: 'PortEngine: `workspace` must be a string' });
});
