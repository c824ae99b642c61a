// Runs every bench/*.bench.ts in turn, each in its own node process so one bench's sockets, timers
// and caches cannot colour the next one's figures. `npm run bench [name...]`.
// Each bench is first bundled the way the product ships (esbuild, minified, as `npm run package`
// builds dist/): what is measured is the code users run, not a loader's on-the-fly transpile,
// which adds work of its own (tsx wraps every function in a naming helper). The peers it compares
// against stay external and load from node_modules exactly as their users load them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error('bench/run.mjs: no *.bench.ts files');
  process.exit(2);
}
// dist/ as it ships (minified, as `npm run package` builds it): the stack, cli and host benches run
// the built CLI and host, and a development build (unminified, with source maps) loads slower.
if (spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('bench/run.mjs: building dist/ failed');
  process.exit(1);
}
// out/ sits one level below the root, so a bench's `path.resolve(__dirname, '..')` is still the root.
const outdir = join(root, 'out');
await esbuild.build({
  entryPoints: files.map((f) => join(root, 'bench', f)),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  packages: 'external',
  logLevel: 'warning',
});
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file} ==`);
  const r = spawnSync(process.execPath, [join(outdir, file.replace(/\.ts$/, '.js'))], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
