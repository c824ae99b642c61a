// Builds the manito-app package from ../../cli/app: CommonJS and ESM bundles (the ESM one runs in
// Node and in the browser), and type declarations. `npm pack` runs it (prepack); the extension's
// own build uses the same options for dist/app.js and dist/app.mjs.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const entry = path.join(root, 'cli', 'app', 'index.ts');

/** esbuild options of the two bundles, written to `outdir` as `<name>.js` and `<name>.mjs`. */
export function appBundles(outdir, name, { production = false } = {}) {
  const common = { bundle: true, minify: production, sourcemap: production ? false : 'linked', sourcesContent: false, logLevel: 'warning', legalComments: 'none', entryPoints: [entry] };
  return [
    { ...common, platform: 'node', target: 'node18', format: 'cjs', outfile: path.join(outdir, `${name}.js`), external: ['vite'] },
    { ...common, platform: 'neutral', format: 'esm', target: 'es2022', outfile: path.join(outdir, `${name}.mjs`), external: ['vite', 'node:*'], mainFields: ['module', 'main'] },
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const require = createRequire(path.join(root, 'package.json'));
  const esbuild = await import(require.resolve('esbuild'));
  const dist = path.join(here, 'dist');
  rmSync(dist, { recursive: true, force: true });
  for (const options of appBundles(dist, 'index', { production: true })) await esbuild.build(options);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--declaration', '--emitDeclarationOnly', '--skipLibCheck', '--strict',
    '--target', 'es2022', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', '--rootDir', root,
    '--outDir', path.join(dist, 'types'), entry], { stdio: 'inherit' });
}
