// Without manito.json the host serves the stack inferred from the folder, labelled with its files;
// the embedded default only when nothing is found, saying so; saving writes manito.json once and
// the watcher then serves the file. The tooltip's env view names each variable a launch gets.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_STACK, type StackConfig } from '../../../protocol/config';
import { inferredOrigin } from '../../../protocol/configOrigin';
import { ConfigWatcher } from '../../../server/config/loadConfig';
import { validateStack } from '../../../server/config/validateStack';
import { inferredConfig } from '../../../server/host/inferredConfig';
import { saveServedConfig } from '../../../server/host/saveConfig';
import { serviceEnv } from '../../../server/host/serviceWiring';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-inferred-'));
after(() => { if (!process.env.KEEP) fs.rmSync(temp, { recursive: true, force: true }); });

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(temp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const APP = {
  'server/package.json': JSON.stringify({ name: 'api', scripts: { start: 'node index.js' }, dependencies: { express: '4' } }),
  'server/index.js': "const app = require('express')();\napp.listen(process.env.PORT || 8000);\n",
  'client/package.json': JSON.stringify({ name: 'web', scripts: { dev: 'vite' }, devDependencies: { vite: '5' } }),
  'client/vite.config.js': "export default { server: { port: 3001, proxy: { '/api': 'http://localhost:8000' } } };\n",
  'docker-compose.yml': 'services:\n  redis:\n    image: redis:7\n    ports:\n      - "6379:6379"\n',
};

const watcherFor = (workspace: string) => new ConfigWatcher({
  workspace, validate: validateStack, whenAbsent: () => inferredConfig({ workspace, validate: validateStack, warn: () => undefined }),
});

test('a folder without manito.json serves the inferred stack, labelled with the files it came from', () => {
  const dir = folder('app', APP);
  const watcher = watcherFor(dir);
  const state = watcher.state;
  watcher.dispose();
  assert.equal(state.source, 'inferred');
  assert.equal(state.exists, false);
  assert.deepEqual(Object.keys(state.stack.services).sort(), ['client', 'redis', 'server']);
  assert.match(state.origin.label, /^inferred from /);
  for (const file of ['server/package.json', 'client/package.json', 'docker-compose.yml']) assert.ok(state.origin.files.includes(file), `${file} in ${state.origin.files.join(', ')}`);
  assert.ok(state.provenance?.server?.from.length);
});

test('an empty folder gets the embedded default, and says nothing was found and why', () => {
  const dir = folder('empty', {});
  const watcher = watcherFor(dir);
  const state = watcher.state;
  watcher.dispose();
  assert.equal(state.source, 'default');
  assert.equal(state.stack, DEFAULT_STACK);
  assert.equal(state.origin.label, 'embedded default: nothing found');
  assert.match(state.origin.detail ?? '', /no package\.json script/);
});

test('an inferred stack that does not validate falls back to the default, naming the problem', () => {
  const warnings: string[] = [];
  const bad = { services: { api: { preferred: [8000], kind: 'ftp' } } } as unknown as StackConfig;
  const absent = inferredConfig({
    workspace: temp, validate: validateStack, warn: (l) => warnings.push(l),
    infer: () => ({ found: true, stack: bad, provenance: { api: { from: ['x'], port: 'x', env: {}, dependsOn: {} } }, read: { files: 1, truncated: false } }),
  });
  assert.equal(absent.source, 'default');
  assert.match(absent.origin.detail ?? '', /not valid.*services\.api\.kind/);
  assert.equal(warnings.length, 1);
});

test('saving writes the inferred stack once; the watcher then serves the file; a second save refuses', () => {
  const dir = folder('save', APP);
  const watcher = watcherFor(dir);
  const before = watcher.state;
  const saved = saveServedConfig(before);
  assert.equal(saved.ok, true, saved.message);
  assert.equal(saved.path, path.join(dir, 'manito.json'));
  assert.deepEqual(JSON.parse(fs.readFileSync(saved.path, 'utf8')), before.stack);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('manito-')), [], 'no temp file left');
  assert.equal(watcher.reload(), true);
  assert.equal(watcher.state.source, 'file');
  assert.equal(watcher.state.origin.label, 'manito.json');
  assert.deepEqual(JSON.parse(JSON.stringify(watcher.state.stack)), before.stack);
  const again = saveServedConfig(before);
  assert.equal(again.ok, false);
  assert.match(again.message, /already exists/);
  // Deleting the file brings the inference back.
  fs.rmSync(saved.path);
  watcher.reload();
  assert.equal(watcher.state.source, 'inferred');
  watcher.dispose();
});

test('a manito.json broken from the start serves nothing, not the inference', () => {
  const dir = folder('broken', { ...APP, 'manito.json': '{ "services": ' });
  const watcher = watcherFor(dir);
  assert.equal(watcher.state.source, 'none');
  assert.deepEqual(watcher.state.stack.services, {});
  watcher.dispose();
});

test('the env view: own port variable, dependencies\' MANITO_<NAME>_PORT, env entries with ports and why', () => {
  const stack: StackConfig = {
    services: {
      api: { preferred: [8000], command: 'node index.js', dependsOn: ['redis'], env: { REDIS_URL: 'redis://localhost:${ports.redis}', SELF: '${port}' } },
      redis: { preferred: [6379], kind: 'redis' },
    },
  };
  const ports: Record<string, number> = { api: 8001, redis: 6380 };
  const env = serviceEnv('api', stack, (s) => ports[s], { from: ['server/package.json'], port: 'x', env: { REDIS_URL: 'server/.env.example REDIS_URL points at redis' }, dependsOn: {} });
  assert.deepEqual(env, [
    { name: 'PORT', value: '8001', why: 'its own port' },
    { name: 'MANITO_REDIS_PORT', value: '6380', why: 'the port of redis, which it depends on' },
    { name: 'REDIS_URL', value: 'redis://localhost:6380', why: 'server/.env.example REDIS_URL points at redis' },
    { name: 'SELF', value: '8001' },
  ]);
  // A port not assigned yet stays a readable template.
  assert.equal(serviceEnv('api', stack, () => undefined).find((e) => e.name === 'REDIS_URL')?.value, 'redis://localhost:${ports.redis}');
});

test('the origin label names at most four files, first named first', () => {
  const origin = inferredOrigin(['package.json scripts.dev (Vite)', 'a/package.json x', 'Procfile:1 web', 'b.yml s', 'c.yml s', 'package.json y']);
  assert.equal(origin.label, 'inferred from package.json, a/package.json, Procfile, b.yml and 1 more');
  assert.deepEqual(origin.files, ['package.json', 'a/package.json', 'Procfile', 'b.yml', 'c.yml']);
});
