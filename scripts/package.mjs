// Packages the extension into dist-vsix/<name>-<version>.vsix: a production build followed by
// `vsce package --no-dependencies` (the bundles in dist/ carry every dependency).
// The build runs in a staging copy of the sources so that packaging never rewrites the working
// tree's dist/, which host tests and `npm run watch` may be using at the same moment.
// Usage: node scripts/package.mjs [--out <file.vsix>]
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

// Top-level entries that are neither build input nor packaged output.
const NOT_COPIED = new Set([
  'node_modules', '.git', '.cache', '.ci', 'dist', 'dist-vsix', 'out', 'test-results', '.vscode-test',
  'test', 'bench', 'docs', 'examples', 'scripts',
]);

function run(cmd, args, cwd) {
  return new Promise((resolvePromise, reject) => {
    // stdin is closed so that a vsce prompt (for example a missing LICENSE) fails instead of hanging.
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${basename(args[0] ?? cmd)} ${args.slice(1).join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Builds and packages the extension; resolves with the absolute path of the .vsix.
 * @param {{ out?: string, log?: (line: string) => void }} [options]
 */
export async function packageVsix(options = {}) {
  const log = options.log ?? (() => {});
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = resolve(options.out ?? join(root, 'dist-vsix', `${manifest.name}-${manifest.version}.vsix`));
  mkdirSync(join(root, '.cache'), { recursive: true });
  const stage = mkdtempSync(join(root, '.cache', 'package-'));
  try {
    for (const name of readdirSync(root)) {
      if (NOT_COPIED.has(name)) continue;
      cpSync(join(root, name), join(stage, name), {
        recursive: true,
        filter: (src) => basename(src) !== 'node_modules',
      });
    }
    symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
    // The one script the build runs: it writes the schema's bounds and compiles the config validator.
    mkdirSync(join(stage, 'scripts'));
    cpSync(join(root, 'scripts', 'configSchema.mjs'), join(stage, 'scripts', 'configSchema.mjs'));

    const started = Date.now();
    await run(process.execPath, [join(stage, 'esbuild.mjs'), '--production'], stage);
    log(`production build: ${Date.now() - started} ms`);

    // vsce sees only the manifest's neighbours and the fresh dist/, filtered by .vscodeignore.
    rmSync(join(stage, 'node_modules'));
    mkdirSync(dirname(out), { recursive: true });
    const vsce = require.resolve('@vscode/vsce/vsce');
    const packStarted = Date.now();
    await run(process.execPath, [vsce, 'package', '--no-dependencies', '--no-update-package-json', '--allow-missing-repository', '--out', out], stage);
    log(`vsce package: ${Date.now() - packStarted} ms`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : undefined;
  try {
    const file = await packageVsix({ out, log: (line) => console.log(line) });
    console.log(`${file} (${(statSync(file).size / 1024).toFixed(1)} KiB)`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
