// The host's compose file, read the way runHost reads it (HostCompose + ConfigWatcher over a real
// folder): an inferred stack and the compose services describing one compose service under two
// names become one service that compose runs; and the file and its .env are watched, a change
// re-serving the stack and a broken file reported with its line while the last good services stay.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ConfigWatcher } from '../../../server/config/loadConfig';
import { validateStack } from '../../../server/config/validateStack';
import { HostCompose } from '../../../server/compose/hostCompose';
import { inferredConfig } from '../../../server/host/inferredConfig';

function fixture(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-host-compose-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function open(t: { after(fn: () => void): void }, workspace: string, composeInstalled = true) {
  const lines: string[] = [];
  const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(`warn: ${line}`) };
  const compose = new HostCompose({ workspace, env: { PATH: process.env.PATH }, log, stateDir: path.join(workspace, '.state'), debounceMs: 20, composeInstalled: () => composeInstalled });
  const config = new ConfigWatcher({ workspace, validate: validateStack, extend: compose.extend, whenAbsent: () => inferredConfig({ workspace, validate: validateStack, warn: log.warn }) });
  compose.onChange(() => config.reload(true));
  t.after(() => {
    compose.dispose();
    config.dispose();
  });
  return { compose, config, lines };
}

const COMPOSE = [
  'services:',
  '  session_store:',
  '    image: redis:7-alpine',
  '    ports:',
  '      - "6390:6379"',
  '  web_api:',
  '    build: ./api',
  '    ports: ["4100:4100"]',
  '    depends_on: [session_store]',
  '',
].join('\n');

test('fixture: inference names session_store "session-store" and web_api "web-api": the image runs as the compose service, the app built from ./api as the inferred process, one service each', (t) => {
  const dir = fixture(t, {
    'docker-compose.yml': COMPOSE,
    'api/package.json': JSON.stringify({ name: 'api', scripts: { dev: 'node server.js' } }),
    'api/server.js': "require('http').createServer(() => {}).listen(process.env.PORT || 4100);\n",
  });
  const { config } = open(t, dir);
  assert.equal(config.state.source, 'inferred');
  const services = config.state.stack.services;
  const redisLike = Object.keys(services).filter((n) => /session/.test(n));
  assert.deepEqual(redisLike, ['session_store'], `one service for the compose service, not ${redisLike.join(' and ')}`);
  assert.equal(services.session_store!.command, 'docker compose up -d session_store', 'compose runs the container');
  assert.equal(services.session_store!.kind, 'redis');
  const apiLike = Object.keys(services).filter((n) => /api/.test(n));
  assert.deepEqual(apiLike, ['web-api'], `one service for the app, not ${apiLike.join(' and ')}`);
  assert.notEqual(services['web-api']!.command, 'docker compose up -d web_api', 'the app runs here, as inferred');
  assert.deepEqual(services['web-api']!.dependsOn, ['session_store']);
});

test('an inferred stack without Docker installed runs compose\'s image service locally, as inferred; manito.json\'s stack still gets it', (t) => {
  const dir = fixture(t, {
    'docker-compose.yml': COMPOSE,
    'api/package.json': JSON.stringify({ name: 'api', scripts: { dev: 'node server.js' } }),
    'api/server.js': "require('http').createServer(() => {}).listen(process.env.PORT || 4100);\n",
  });
  const { config } = open(t, dir, false);
  assert.equal(config.state.source, 'inferred');
  const services = config.state.stack.services;
  const sessions = Object.entries(services).filter(([n]) => /session/.test(n));
  assert.equal(sessions.length, 1, `one service for the compose service: ${Object.keys(services).join(', ')}`);
  assert.match(sessions[0]![1].command ?? '', /^redis-server --port \$\{port\}/, 'the local Redis runs it');
  assert.ok(!Object.values(services).some((s) => s.command?.startsWith('docker')), 'nothing needs Docker');

  fs.writeFileSync(path.join(dir, 'manito.json'), JSON.stringify({ services: { api: { preferred: [4100], command: 'node api/server.js' } } }));
  const file = open(t, dir, false).config;
  assert.equal(file.state.source, 'file');
  assert.equal(file.state.stack.services.session_store?.command, 'docker compose up -d session_store', 'manito.json\'s stack gets the compose service; its start says what to install');
});

test('manito.json names a compose service itself: manito.json\'s service stays and no second one appears', (t) => {
  const dir = fixture(t, {
    'docker-compose.yml': COMPOSE,
    'manito.json': JSON.stringify({ services: { session_store: { preferred: [7001], kind: 'redis', command: 'redis-server --port ${port}' } } }),
  });
  const { config } = open(t, dir);
  assert.equal(config.state.source, 'file');
  assert.deepEqual(Object.keys(config.state.stack.services), ['session_store', 'web_api'], 'what manito.json does not name is added');
  assert.equal(config.state.stack.services.session_store!.command, 'redis-server --port ${port}');
});

test('watch: a new port and a changed .env re-serve the stack; broken YAML is reported with its line and the last good services stay', async (t) => {
  const dir = fixture(t, {
    'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports:\n      - "${WEB_PORT:-8080}:80"\n',
    'manito.json': JSON.stringify({ services: {} }),
  });
  const { compose, config, lines } = open(t, dir);
  compose.watch((error) => assert.fail(error));
  // The host's watch and debounce timer never keep a process alive (unref'd): the test holds the loop open.
  const keepAlive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(keepAlive));
  const changed = () => new Promise<void>((resolve) => { const off = compose.onChange(() => { off(); resolve(); }); });
  assert.deepEqual(config.state.stack.services.web?.preferred, [8080]);

  let next = changed();
  fs.writeFileSync(path.join(dir, '.env'), 'WEB_PORT=8181\n');
  await next;
  assert.deepEqual(config.state.stack.services.web?.preferred, [8181], 'the .env beside the file is read again');

  next = changed();
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    ports:\n      - "${WEB_PORT:-8080}:80"\n  cache:\n    image: redis\n    ports: ["6391:6379"]\n');
  await next;
  assert.deepEqual(Object.keys(config.state.stack.services).sort(), ['cache', 'web']);

  // Broken: an unclosed flow sequence on line 4. Nothing changes; the log says where.
  const warned = new Promise<string>((resolve) => {
    const poll = setInterval(() => { const w = lines.find((l) => l.startsWith('warn: ') && l.includes('cannot be read')); if (w) { clearInterval(poll); resolve(w); } }, 10);
  });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"\n');
  await warned;
  const problem = lines.find((l) => /compose\.yaml:\d+:\d+: /.test(l) && l.startsWith('warn: '))!;
  assert.match(problem, new RegExp(`^warn: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/compose\\.yaml:[45]:\\d+: `), problem);
  assert.deepEqual(Object.keys(config.state.stack.services).sort(), ['cache', 'web'], 'the last good services stay');
  assert.deepEqual(compose.services.map((d) => d.name).sort(), ['cache', 'web']);

  // The file removed: its services leave the stack.
  next = changed();
  fs.rmSync(path.join(dir, 'compose.yaml'));
  await next;
  assert.deepEqual(Object.keys(config.state.stack.services), []);
});
