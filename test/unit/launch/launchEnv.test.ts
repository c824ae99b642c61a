import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildLaunchSpec, LaunchEnvError } from '../../../server/launch/launchEnv';

const ports = new Map([['server', 3001], ['client', 5174], ['api-gateway', 8080]]);

test('PORT, MANITO_<SERVICE>_PORT and MANITO_<SERVICE>_PORTS for every service, cwd resolved against the workspace', () => {
  const spec = buildLaunchSpec({ service: 'server', config: { command: 'node index.js', cwd: 'api' }, ports, workspace: '/ws' });
  assert.equal(spec.name, 'server');
  assert.equal(spec.cwd, path.resolve('/ws/api'));
  assert.deepEqual(spec.env, {
    MANITO_API_GATEWAY_PORT: '8080', MANITO_API_GATEWAY_PORTS: '8080', MANITO_CLIENT_PORT: '5174', MANITO_CLIENT_PORTS: '5174',
    MANITO_SERVER_PORT: '3001', MANITO_SERVER_PORTS: '3001', PORT: '3001',
  });
});

test('portEnv names the variable; ${port} and ${ports.<name>} substituted in command and env; shell variables untouched', () => {
  const spec = buildLaunchSpec({
    service: 'client',
    config: { command: 'vite --port ${port} --strictPort # $PORT ${HOME}', portEnv: 'VITE_PORT', env: { API: 'http://localhost:${ports.server}', SELF: '${port}' } },
    ports, workspace: '/ws', baseEnv: { KEEP: '1', DROP: undefined },
  });
  assert.equal(spec.command, 'vite --port 5174 --strictPort # $PORT ${HOME}');
  assert.equal(spec.env.VITE_PORT, '5174');
  assert.equal(spec.env.PORT, undefined);
  assert.equal(spec.env.API, 'http://localhost:3001');
  assert.equal(spec.env.SELF, '5174');
  assert.equal(spec.env.KEEP, '1');
  assert.ok(!('DROP' in spec.env));
  assert.equal(spec.cwd, path.resolve('/ws'));
});

test('${ports.unknown} is a clear error naming the known services', () => {
  assert.throws(
    () => buildLaunchSpec({ service: 'server', config: { command: 'x ${ports.nope}' }, ports, workspace: '/ws', services: ['server', 'client', 'api-gateway'] }),
    (error: unknown) => error instanceof LaunchEnvError
      && /service "server": \$\{ports\.nope\} in command names an unknown service \(known: api-gateway, client, server\)/.test(error.message),
  );
  assert.throws(
    () => buildLaunchSpec({ service: 'server', config: { command: 'x', env: { A: '${ports.redis}' } }, ports, workspace: '/ws', services: ['server', 'redis'] }),
    /\$\{ports\.redis\} in env\.A, but "redis" has no assigned port/,
  );
  assert.throws(() => buildLaunchSpec({ service: 'worker', config: { command: 'x ${port}' }, ports, workspace: '/ws' }), /\$\{port\} in command, but "worker" has no assigned port/);
  assert.throws(() => buildLaunchSpec({ service: 'server', config: {}, ports, workspace: '/ws' }), /has no command/);
});

test('MANITO_<SERVICE>_URL for every service given a URL: a dependent reads where its dependency answers by name', () => {
  const urls = new Map([['server', 'http://server.shop.localhost:14730'], ['api-gateway', 'http://localhost:8080']]);
  const spec = buildLaunchSpec({ service: 'client', config: { command: 'vite' }, ports, urls, workspace: '/ws' });
  assert.equal(spec.env.MANITO_SERVER_URL, 'http://server.shop.localhost:14730');
  assert.equal(spec.env.MANITO_API_GATEWAY_URL, 'http://localhost:8080');
  assert.equal(spec.env.MANITO_CLIENT_URL, undefined, 'no URL given, no variable');
  assert.equal(spec.env.PORT, '5174');
});
