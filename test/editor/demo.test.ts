// The README's first command: `npm run demo` builds, packages, installs the extension into the
// bundled code-server and opens examples/fullstack. `--check` runs that same path, verifies the
// workbench answers, and stops, so the newcomer's command stays true.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './harness/paths';

test('npm run demo: packages, installs the extension into code-server and serves the example', { timeout: 600_000 }, async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs'), '--check'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /code-server answers \/healthz with 200; demo URL http:\/\/127\.0\.0\.1:\d+\/\?folder=.*examples%2Ffullstack/, output);
  const extensions = join(repoRoot, '.cache', 'demo', 'extensions');
  assert.ok(existsSync(extensions), `no extensions folder at ${extensions}`);
  assert.ok(readdirSync(extensions).some((name) => /^manito\.manito-\d/.test(name)), `the extension is not installed in ${extensions}: ${readdirSync(extensions).join(', ')}`);
});
