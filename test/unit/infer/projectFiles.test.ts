// The bounded reader: depth, file count, file size and total limits, skipped folders, lock files
// listed by presence only; and the framework table that gives each framework its port.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_READ_LIMITS, readProjectFiles } from '../../../server/infer/projectFiles';
import { FRAMEWORKS, commandWithPort } from '../../../server/infer/frameworkPorts';

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-read-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

test('reads sources, settings, env files and Procfile; skips dependency, build, VCS and editor folders', (t) => {
  const dir = tree({
    'package.json': '{}', 'package-lock.json': '{"huge": true}', '.env.example': 'PORT=1', Procfile: 'web: x', 'src/a.ts': 'x',
    'node_modules/dep/index.js': 'listen(9999)', 'dist/bundle.js': 'x', '.git/config': 'x', '.vscode/launch.json': '{}', 'README.md': '#',
    'src/app.min.js': 'x', 'src/types.d.ts': 'x', 'img.png': 'x',
  });
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { files, truncated } = readProjectFiles(dir);
  assert.deepEqual([...files.keys()].sort(), ['.env.example', 'Procfile', 'package-lock.json', 'package.json', 'src/a.ts']);
  assert.equal(files.get('package-lock.json'), '');
  assert.equal(truncated, false);
});

test('every limit stops the reading and says so; a binary or oversized file is skipped, never thrown', (t) => {
  const deep = tree({ 'a/b/c/d/e/f/g/h/server.js': 'listen(3000)', 'top.js': 'x', 'big.js': 'x'.repeat(300 * 1024), 'bin.js': 'a\u0000b' });
  t.after(() => fs.rmSync(deep, { recursive: true, force: true }));
  const byDepth = readProjectFiles(deep, { ...DEFAULT_READ_LIMITS, maxDepth: 3 });
  assert.deepEqual([[...byDepth.files.keys()], byDepth.truncated], [['top.js'], true]);
  const all = readProjectFiles(deep, { ...DEFAULT_READ_LIMITS, maxDepth: 20 });
  assert.deepEqual([[...all.files.keys()].sort(), all.truncated], [['a/b/c/d/e/f/g/h/server.js', 'top.js'], false]);
  // Skipped for its size, and said so (a binary file is not worth naming).
  assert.deepEqual(all.tooLarge, ['big.js']);
  const byCount = readProjectFiles(deep, { ...DEFAULT_READ_LIMITS, maxDepth: 20, maxFiles: 1 });
  assert.deepEqual([[...byCount.files.keys()], byCount.truncated], [['top.js'], true]);
  const byBytes = readProjectFiles(deep, { ...DEFAULT_READ_LIMITS, maxDepth: 20, maxTotalBytes: 5 });
  assert.equal(byBytes.truncated, true);
  assert.deepEqual(readProjectFiles(path.join(deep, 'missing')).files.size, 0);
});

test('the framework table: flags for frameworks that ignore PORT, through npm run --, pnpm and yarn', () => {
  const cases: Array<[string, string, string]> = [
    ['vite', 'npm run dev', 'npm run dev -- --port ${port} --strictPort'],
    ['vite', 'pnpm run dev', 'pnpm run dev --port ${port} --strictPort'],
    ['vite', 'npx vite --port 5173', 'npx vite --port ${port} --strictPort'],
    ['angular', 'yarn run start', 'yarn run start --port ${port}'],
    ['astro', 'npm run dev', 'npm run dev -- --port ${port}'],
    ['nuxt', 'npm run dev', 'npm run dev -- --port ${port}'],
    ['next', 'npm run dev', 'npm run dev -- -p ${port}'],
    ['next', 'npx next dev -p 3000', 'npx next dev -p ${port}'],
    ['storybook', 'npm run storybook', 'npm run storybook -- -p ${port}'],
    ['expo', 'npm start', 'npm start -- --port ${port}'],
    ['express', 'npm run dev', 'npm run dev'],
    ['cra', 'npm start', 'npm start'],
  ];
  for (const [id, command, want] of cases) assert.equal(commandWithPort(command, FRAMEWORKS[id]!), want, `${id}: ${command}`);
  assert.equal(FRAMEWORKS.redis!.command, "redis-server --port ${port} --bind 127.0.0.1 --save ''");
  assert.equal(FRAMEWORKS.postgres!.command, 'postgres -p ${port}');
  assert.equal(FRAMEWORKS.mongodb!.command, 'mongod --port ${port} --bind_ip 127.0.0.1');
  assert.equal(FRAMEWORKS.prometheus!.command, 'prometheus --web.listen-address=127.0.0.1:${port}');
});
