// The hard-coded port scanner on each pattern the issue names, with the exact line, column of the
// literal and kind; and what it must not report (comments, privileged and container ports,
// compose-internal URLs, timeouts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanText } from '../../../server/infer/portScan';

/** `line:portColumn kind port` of each finding. */
const found = (file: string, text: string) => scanText(file, text).map((f) => `${f.line}:${f.portColumn} ${f.kind} ${f.port}`);

test('Node: environment defaults, parseInt/Number forms, listen, a listen constant, client option objects', () => {
  const code = [
    'const port = process.env.PORT || 8000;',
    'const api = process.env.API_PORT ?? 8001;',
    'const db = parseInt(process.env.DB_PORT || "5432");',
    'const web = Number(process.env.PORT) || 3000;',
    "const SERVER = 8080; app.listen(SERVER);",
    'server.listen(9000);',
    'const redis = new Redis({ host: "localhost", port: 6379 });',
    'const pool = new Pool({ port: 5433 });',
    "mongoose.connect('mongodb://127.0.0.1:27017/app');",
    'const knex = Knex({ connection: { port: 3306 } });',
    'const cache = new Redis(6380);',
    'const env = z.object({ PORT: z.coerce.number().default(4000) });',
  ].join('\n');
  assert.deepEqual(found('server/index.js', code), [
    '1:34 env-default 8000', '2:37 env-default 8001', '3:45 env-default 5432', '4:41 env-default 3000',
    '5:16 const-port 8080', '6:15 listen 9000', '7:52 option-port 6379', '8:31 option-port 5433',
    '9:39 url 27017', '10:41 option-port 3306', '11:25 option-port 6380', '12:56 env-default 4000',
  ]);
});

test('URLs in code: socket.io, WebSocket, fetch, a host computed in a template', () => {
  const code = [
    'const socket = io("http://localhost:8000");',
    'const ws = new WebSocket("ws://127.0.0.1:8001/feed");',
    "fetch('http://localhost:8002/api/items');",
    'const url = `http://${host}:3000`;',
    '// fetch("http://localhost:9999") in a comment is not a port that runs',
    'const remote = "https://example.com:8443/";',
  ].join('\n');
  assert.deepEqual(found('web/src/api.ts', code), ['1:37 url 8000', '2:42 url 8001', '3:25 url 8002', '4:29 url 3000']);
});

test('docker-compose: published host ports and URL environment entries, never container ports, health checks or network hosts', () => {
  const compose = [
    'services:',
    '  api:',
    '    build: ./api',
    '    command: node server.js --port 9000',
    '    ports:',
    '      - "5000:5000"',
    '      - 127.0.0.1:9229:9229',
    '      - "${WEB_PORT:-8080}:80"',
    '      - "80:80"',
    '      - target: 3000',
    '        published: 3001',
    '    environment:',
    '      VITE_SERVER_URL: http://localhost:5000',
    '      REDIS_URL: redis://redis:6379',
    '    healthcheck:',
    '      test: ["CMD", "curl", "-f", "http://localhost:5000/health"]',
  ].join('\n');
  assert.deepEqual(found('docker-compose.yml', compose), ['6:10 compose-port 5000', '7:19 compose-port 9229', '8:22 compose-port 8080', '11:20 compose-port 3001', '13:41 url 5000']);
  assert.equal(scanText('docker-compose.yml', compose)[0]!.service, 'api');
});

test('.env files, Procfile and package.json scripts, YAML settings', () => {
  assert.deepEqual(found('.env.example', 'PORT=3000\nDB_PORT=5432\nREDIS_URL=redis://localhost:6379\n# PORT=1\nSMTP_PORT=587\n'), ['1:6 env-port 3000', '2:9 env-port 5432', '3:29 url 6379']);
  assert.equal(scanText('.env', 'PORT=3000')[0]!.variable, 'PORT');
  assert.deepEqual(found('Procfile', 'web: gunicorn app:app -b 0.0.0.0:5000\nworker: node worker.js'), ['1:34 cli-flag 5000']);
  assert.deepEqual(found('package.json', '{ "scripts": { "dev": "next dev -p 3000", "web": "vite --port=5173" } }'), ['1:36 cli-flag 3000', '1:63 cli-flag 5173']);
  assert.deepEqual(found('config/default.yml', 'server:\n  host: 0.0.0.0\n  port: 3000\n'), ['3:9 option-port 3000']);
  assert.deepEqual(found('k8s/service.yaml', 'apiVersion: v1\nkind: Service\nspec:\n  port: 5432\n'), []);
});

test('Python: runserver, app.run(port=), uvicorn, os.environ.get defaults, settings', () => {
  const code = [
    'import os',
    'PORT = 8000',
    'app.run(host="0.0.0.0", port=5000)',
    'uvicorn.run(app, port=8001)',
    'db_port = os.environ.get("SQL_PORT", "5432")',
    'FRONTEND_HOST: str = "http://localhost:5173"',
    'TIMEOUT = 3000',
  ].join('\n');
  assert.deepEqual(found('api/main.py', code), ['2:8 const-port 8000', '3:30 option-port 5000', '4:23 option-port 8001', '5:39 env-default 5432', '6:40 url 5173']);
  assert.deepEqual(found('scripts/dev.sh', 'python manage.py runserver 8000\nuvicorn main:app --port 8002\n'), ['1:28 cli-flag 8000', '2:25 cli-flag 8002']);
});

test('numbers that are not ports are not reported', () => {
  const code = [
    'setTimeout(done, 3000);',
    'const maxAge = 30 * 24 * 60 * 60 * 1000;',
    'app.listen(80);',
    'const viewport = { width: 1280 };',
    '/* listen(8000) */',
  ].join('\n');
  assert.deepEqual(found('src/app.js', code), []);
});
