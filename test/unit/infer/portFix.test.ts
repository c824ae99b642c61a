// --fix's edits, in each file's language, and proof that the rewritten code reads the environment:
// the fixed Node server really listens on MANITO_SERVER_PORT, the fixed Python module really reads
// MANITO_API_PORT. Also the unified diff shown before writing.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { test } from 'node:test';
import { applyEdits, planFixes, type FixContext } from '../../../server/infer/portFix';
import { scanText } from '../../../server/infer/portScan';
import { unifiedDiff } from '../../../server/infer/unifiedDiff';

const context: FixContext = {
  serviceForPort: (port) => ({ 8000: 'server', 5000: 'api', 6379: 'redis', 5432: 'db', 5173: 'client' } as Record<number, string>)[port],
  serviceForFile: (file) => (file.startsWith('client/') ? { name: 'client', vite: true } : { name: 'server', vite: false }),
};

function fix(file: string, text: string) {
  const plan = planFixes(scanText(file, text), new Map([[file, text]]), context);
  return { plan, after: applyEdits(text, plan.edits.filter((e) => e.path === file), plan.prepend[file] ?? []) };
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

test('Node: listen, client options and URLs read MANITO_<SERVICE>_PORT; the fixed server listens where Manito says', async (t) => {
  const source = [
    "const http = require('http');",
    "const redisOptions = { host: 'localhost', port: 6379 };",
    "const self = 'http://localhost:8000/health';",
    "http.createServer((q, s) => s.end(JSON.stringify({ self, redis: redisOptions.port }))).listen(8000, '127.0.0.1', () => console.log('ready'));",
  ].join('\n');
  const { plan, after } = fix('server/index.js', source);
  assert.equal(plan.edits.length, 3);
  assert.equal(after.split('\n')[1], "const redisOptions = { host: 'localhost', port: Number(process.env.MANITO_REDIS_PORT ?? 6379) };");
  assert.equal(after.split('\n')[2], 'const self = `http://localhost:${process.env.MANITO_SERVER_PORT ?? 8000}/health`;');
  assert.match(after.split('\n')[3]!, /\.listen\(Number\(process\.env\.MANITO_SERVER_PORT \?\? 8000\), '127\.0\.0\.1'/);

  const port = await freePort();
  const child = spawn(process.execPath, ['-e', after], { cwd: '/', env: { ...process.env, MANITO_SERVER_PORT: String(port), MANITO_REDIS_PORT: '6390' }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('ready')) resolve(); });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const body = await (await fetch(`http://127.0.0.1:${port}/`)).json();
  assert.deepEqual(body, { self: `http://localhost:${port}/health`, redis: 6390 });
});

test('Vite client code reads import.meta.env.VITE_<SERVICE>_PORT, which the client then needs in its env', () => {
  const { plan, after } = fix('client/src/socket.ts', 'export const socket = io("http://localhost:8000");\n');
  assert.equal(after, 'export const socket = io(`http://localhost:${import.meta.env.VITE_SERVER_PORT ?? 8000}`);\n');
  assert.deepEqual(plan.env, [{ service: 'client', variable: 'VITE_SERVER_PORT', value: '${ports.server}' }]);
  // The Vite config runs in Node: process.env there.
  assert.equal(fix('client/vite.config.ts', 'export default { server: { port: 5173 } };').after, 'export default { server: { port: Number(process.env.MANITO_CLIENT_PORT ?? 5173) } };');
});

test('Python reads os.environ.get and gains `import os`; the fixed module reads MANITO_API_PORT', (t) => {
  const source = 'from flask import Flask\napp = Flask(__name__)\nSELF = "http://localhost:5000/"\nif __name__ == "__main__":\n    app.run(port=5000)\n';
  const { after } = fix('api/app.py', source);
  assert.equal(after, 'import os\nfrom flask import Flask\napp = Flask(__name__)\nSELF = f"http://localhost:{os.environ.get(\'MANITO_API_PORT\', \'5000\')}/"\nif __name__ == "__main__":\n    app.run(port=int(os.environ.get("MANITO_API_PORT", "5000")))\n');
  const python = spawnSync('python3', ['--version']);
  if (python.error) return t.skip('python3 is not installed');
  const checked = after.replace(/^from flask.*\napp = .*\n/m, '').replace(/if __name__[\s\S]*$/, 'print(SELF)\n');
  const run = spawnSync('python3', ['-c', checked], { env: { ...process.env, MANITO_API_PORT: '5123' }, encoding: 'utf8' });
  assert.equal(run.stdout, 'http://localhost:5123/\n', run.stderr);
});

test('compose ports take ${MANITO_<SERVICE>_PORT:-N}; settings and defaults already read from the environment are left alone', () => {
  const { plan, after } = fix('docker-compose.yml', 'services:\n  db:\n    image: postgres\n    ports:\n      - "5432:5432"\n');
  assert.equal(after.split('\n')[4], '      - "${MANITO_DB_PORT:-5432}:5432"');
  assert.equal(plan.skipped.length, 0);
  const env = fix('server/index.js', 'app.listen(process.env.PORT || 8000);');
  assert.deepEqual([env.plan.edits.length, env.plan.skipped[0]!.reason], [0, 'already reads the environment']);
  const dotenv = fix('.env', 'PORT=8000');
  assert.match(dotenv.plan.skipped[0]!.reason, /a setting, not code/);
});

test('the diff shows each change with three lines of context, and the added import', () => {
  const before = ['a', 'b', 'c', 'd', 'listen(8000)', 'e', 'f', 'g', 'h'].join('\n');
  const after = ['import os', 'a', 'b', 'c', 'd', 'listen(X)', 'e', 'f', 'g', 'h'].join('\n');
  assert.equal(unifiedDiff('x.py', before, after, 1), [
    '--- a/x.py', '+++ b/x.py', '@@ -1,8 +1,9 @@', '+import os', ' a', ' b', ' c', ' d', '-listen(8000)', '+listen(X)', ' e', ' f', ' g',
  ].join('\n'));
  assert.equal(unifiedDiff('x.py', before, before), '');
});
