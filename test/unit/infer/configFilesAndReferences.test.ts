// Two inference rules a newcomer's folder showed wrong: a tool's config file is never started as
// a service (`node vite.config.ts`), and a service whose code names another's variable
// (`process.env.API_URL`, `MANITO_SERVER_PORT`) depends on it, whatever the two services' roles.
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
const commands = (r: InferredStack) => Object.values(r.stack.services).map((s) => s.command ?? '');

test('a config file is never inferred as a command: a Vite config gives Vite, another tool\'s config no service', () => {
  const r = infer({
    'vite.config.ts': "import { defineConfig } from 'vite';\nconst port = 5173;\nexport default defineConfig({ server: { port } });\n",
    'webpack.config.js': "module.exports = { devServer: { port: 8080, host: 'localhost' } };\n",
    'playwright.config.js': "module.exports = { webServer: { command: 'npm start', port: 3000 } };\n",
    'nuxt.config.ts': 'export default { server: { port: 3001 } };\n',
  });
  assert.deepEqual(commands(r), ['npx vite --port ${port} --strictPort']);
  for (const command of commands(r)) assert.doesNotMatch(command, /\.config\./);
});

test('a root server and a root Vite config are two services, each on its own port', () => {
  const r = infer({
    'package.json': JSON.stringify({ devDependencies: { vite: '5' } }),
    'server.js': "require('http').createServer().listen(3000);\n",
    'vite.config.js': 'export default { server: { port: 5173 } };\n',
  });
  const s = r.stack.services;
  assert.deepEqual([s.server?.command, s.server?.preferred?.[0]], ['node server.js', 3000]);
  assert.deepEqual([s.client?.command, s.client?.preferred?.[0], s.client?.kind], ['npx vite --port ${port} --strictPort', 5173, 'vite']);
});

test('dependsOn from a variable naming another service, between two services of the same role', () => {
  // examples/fullstack: the client's dev script (a node file) reads the server's port by Manito's variable.
  const r = infer({
    'package.json': JSON.stringify({ scripts: { server: 'node server/index.mjs', client: 'node client/dev.mjs' } }),
    'server/index.mjs': 'const port = Number(process.env.PORT ?? 3000);\nserver.listen(port);\n',
    'client/dev.mjs': 'const api = process.env.MANITO_SERVER_PORT;\nstartVite(api);\n',
  });
  assert.deepEqual(r.stack.services.client?.dependsOn, ['server']);
  assert.equal(r.stack.services.server?.dependsOn, undefined, 'no cycle back');
  assert.match(r.provenance.client!.dependsOn.server!, /^client\/dev\.mjs:1 MANITO_SERVER_PORT points at server$/);
});

test('dependsOn from an API_URL the web app reads (no port written anywhere); an API naming its web client does not depend on it', () => {
  const r = infer({
    'web/package.json': JSON.stringify({ scripts: { dev: 'vite' }, devDependencies: { vite: '5' } }),
    'web/src/api.ts': 'export const base = import.meta.env.VITE_API_URL;\n',
    'api/package.json': JSON.stringify({ scripts: { start: 'node index.js' } }),
    'api/index.js': "app.use(cors({ origin: process.env.WEB_URL }));\napp.listen(process.env.PORT || 4000);\n",
  });
  assert.deepEqual(r.stack.services.web?.dependsOn, ['api']);
  assert.equal(r.stack.services.api?.dependsOn, undefined);
  assert.equal(r.stack.services.web?.env?.API_URL, 'http://localhost:${ports.api}');
});
