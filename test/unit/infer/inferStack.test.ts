// Inference from a folder's files (pure, from a map of texts): workspaces and layouts, frameworks,
// Python apps, compose kinds, Procfile, env wiring and dependencies, names, and "nothing found".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateStack } from '../../../server/config/validateStack';
import { inferFromFiles } from '../../../server/infer/inferStack';
import type { InferredStack } from '../../../protocol/inference';

function infer(files: Record<string, string>): InferredStack {
  const r = inferFromFiles(new Map(Object.entries(files)));
  assert.ok(r.found, 'something is inferred');
  assert.deepEqual(validateStack(r.stack), [], 'the inferred stack is a valid manito.json');
  return r;
}
const pkg = (scripts: Record<string, string>, deps: Record<string, string> = {}, more: object = {}) => JSON.stringify({ scripts, dependencies: deps, ...more });

test('npm workspaces: each app with its framework, its port flag and its package manager', () => {
  const r = infer({
    'package.json': pkg({ dev: 'turbo run dev' }, {}, { workspaces: ['apps/*'] }),
    'yarn.lock': '',
    'apps/web/package.json': pkg({ dev: 'vite' }, { vite: '5' }),
    'apps/docs/package.json': pkg({ dev: 'astro dev' }, { astro: '4' }),
    'apps/admin/package.json': pkg({ start: 'ng serve' }),
    'apps/api/package.json': pkg({ dev: 'nodemon src/index.ts' }, { fastify: '4' }),
    'apps/api/src/index.ts': 'app.listen({ port: Number(process.env.PORT ?? 4000) });',
  });
  const s = r.stack.services;
  assert.deepEqual(Object.keys(s).sort(), ['admin', 'api', 'docs', 'web']);
  assert.deepEqual([s.web!.command, s.web!.kind, s.web!.preferred![0], s.web!.cwd], ['yarn run dev --port ${port} --strictPort', 'vite', 5173, 'apps/web']);
  assert.equal(s.docs!.command, 'yarn run dev --port ${port}');
  assert.equal(s.admin!.command, 'yarn run start --port ${port}');
  assert.deepEqual([s.api!.command, s.api!.preferred![0]], ['yarn run dev', 4000]);
  assert.deepEqual(r.provenance.api!.from, ['apps/api/package.json scripts.dev (Fastify)']);
  assert.equal(r.provenance.api!.port, 'apps/api/src/index.ts:1 process.env.PORT ?? 4000');
});

test('pnpm-workspace.yaml; npm run passes flags after --; a script that writes its port gets ${port}', () => {
  const r = infer({
    'package.json': pkg({}),
    'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n",
    'packages/site/package.json': pkg({ dev: 'next dev -p 3005' }),
  });
  assert.equal(r.stack.services.site!.command, 'npx next dev -p ${port}');
  assert.equal(r.stack.services.site!.preferred![0], 3005);
  const npm = infer({ 'client/package.json': pkg({ dev: 'vite' }), 'server/package.json': pkg({ start: 'node index.js' }, { express: '4' }) });
  assert.equal(npm.stack.services.client!.command, 'npm run dev -- --port ${port} --strictPort');
  assert.equal(npm.stack.services.server!.command, 'npm start');
});

test('Python apps: Django manage.py, FastAPI and Flask modules', () => {
  const r = infer({
    'backend/manage.py': 'import django\n',
    'api/app/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
    'app.py': 'from flask import Flask\nserver = Flask(__name__)\n',
  });
  const s = r.stack.services;
  assert.equal(s.backend!.command, 'python manage.py runserver 127.0.0.1:${port}');
  assert.deepEqual([s.api!.command, s.api!.cwd, s.api!.preferred![0]], ['uvicorn app.main:app --reload --port ${port}', 'api', 8000]);
  assert.deepEqual([s.server!.command, s.server!.preferred![0]], ['flask --app app:server run --port ${port}', 5000]);
});

test('docker-compose: backing services by image, the app built from a folder, env wired and depended on', () => {
  const r = infer({
    'docker-compose.yml': [
      'services:',
      '  api:',
      '    build: ./api',
      '    ports: ["8000:8000"]',
      '    environment:',
      '      REDIS_URL: redis://cache:6379',
      '    depends_on: [db]',
      '  cache:',
      '    image: redis:7',
      '  db:',
      '    image: postgres:16',
      '    ports:',
      '      - "5433:5432"',
      '  mongo:',
      '    image: mongo:7',
      '  metrics:',
      '    image: prom/prometheus',
      '  mq:',
      '    image: rabbitmq:3',
    ].join('\n'),
    'api/package.json': pkg({ dev: 'node server.js' }, { koa: '2' }),
    'api/.env.example': 'DATABASE_URL=postgres://app@localhost:5433/app\nCORS_ORIGIN=http://localhost:3000\n',
  });
  const s = r.stack.services;
  assert.deepEqual(Object.keys(s), ['api', 'cache', 'db', 'mongo', 'metrics', 'mq']);
  assert.deepEqual([s.cache!.kind, s.cache!.preferred![0], s.cache!.command], ['redis', 6379, "redis-server --port ${port} --bind 127.0.0.1 --save ''"]);
  assert.deepEqual([s.db!.kind, s.db!.preferred![0], s.db!.command], ['postgres', 5433, 'postgres -p ${port}']);
  assert.deepEqual([s.mongo!.kind, s.mongo!.command], ['tcp', 'mongod --port ${port} --bind_ip 127.0.0.1']);
  assert.deepEqual([s.metrics!.kind, s.metrics!.command], ['prometheus', 'prometheus --web.listen-address=127.0.0.1:${port}']);
  assert.deepEqual([s.mq!.portEnv, s.mq!.command], ['RABBITMQ_NODE_PORT', 'rabbitmq-server']);
  assert.deepEqual(s.api!.env, {
    DATABASE_URL: 'postgres://app@localhost:${ports.db}/app',
    REDIS_URL: 'redis://localhost:${ports.cache}',
    CACHE_URL: 'redis://localhost:${ports.cache}',
    DB_URL: 'postgres://localhost:${ports.db}',
  });
  assert.deepEqual(s.api!.dependsOn!.sort(), ['cache', 'db']);
  assert.equal(r.provenance.api!.env.DATABASE_URL, 'api/.env.example:1 DATABASE_URL points at db');
  assert.equal(r.provenance.api!.dependsOn.cache, 'docker-compose.yml services.api.environment.REDIS_URL points at cache');
  assert.deepEqual(r.provenance.cache!.from, ['docker-compose.yml services.cache (image redis:7)']);
  assert.deepEqual(Object.values(s).map((x) => x.health?.type), ['tcp', 'auto', 'auto', 'tcp', 'auto', 'tcp']);
});

test('a client whose Vite proxy targets the API depends on it; the API never on the client', () => {
  const r = infer({
    'client/package.json': pkg({ dev: 'vite' }),
    'client/vite.config.ts': "export default { server: { port: 3001, proxy: { '/api': 'http://localhost:8000' } } };",
    'server/package.json': pkg({ dev: 'node index.js' }, { express: '4' }),
    'server/index.js': "const io = require('socket.io');\napp.listen(process.env.PORT || 8000);\nconst origin = 'http://localhost:3001';\n",
  });
  assert.deepEqual(r.stack.services.client!.dependsOn, ['server']);
  assert.equal(r.stack.services.server!.dependsOn, undefined);
  assert.equal(r.stack.services.client!.preferred![0], 3001);
  assert.equal(r.provenance.client!.dependsOn.server, 'client/vite.config.ts:1 localhost:8000 points at server');
});

test('Procfile web processes; names are short, distinct and never a reserved /api/ports key', () => {
  const r = infer({ Procfile: 'web: node app.js --port $PORT\nworker: node worker.js\n', 'package.json': pkg({}, {}, { workspaces: ['urls', 'environment'] }), 'urls/package.json': pkg({ dev: 'vite' }), 'environment/package.json': pkg({ dev: 'vite' }) });
  assert.deepEqual(Object.keys(r.stack.services).sort(), ['environment-service', 'urls-service', 'web']);
  assert.equal(r.stack.services.web!.command, 'node app.js --port ${port}');
});

test('nothing that says what runs: not found, with the reason; the caller falls back to the default stack', () => {
  const r = inferFromFiles(new Map([['README.md', '# hi'], ['src/util.js', 'export const x = 1;']]));
  assert.equal(r.found, false);
  assert.match(r.found ? '' : r.reason, /no package\.json script, Python app, docker-compose service, Procfile or hard-coded port/);
});

test('code that `manito scan --fix` rewrote infers the same stack: its own MANITO_<NAME>_PORT fallback is its port', () => {
  const { stack, provenance } = infer({
    'package.json': JSON.stringify({ name: 'app', scripts: { server: 'node backend/server.js' }, dependencies: { express: '4' } }),
    'backend/server.js': 'const PORT = process.env.PORT || 5000;\napp.listen(PORT);\n',
    'frontend/package.json': JSON.stringify({ scripts: { dev: 'vite' }, devDependencies: { vite: '5' } }),
    'frontend/vite.config.js': 'export default {\n  server: {\n    port: Number(process.env.MANITO_FRONTEND_PORT ?? 3000),\n    proxy: { "/api": { target: `http://localhost:${process.env.MANITO_BACKEND_PORT ?? 5000}` } },\n  },\n};\n',
  });
  assert.equal(stack.services.frontend?.preferred?.[0], 3000);
  assert.deepEqual(stack.services.frontend?.dependsOn, ['backend']);
  assert.match(provenance.frontend!.port, /MANITO_FRONTEND_PORT \?\? 3000/);
});
