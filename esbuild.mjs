// Bundles every entry point with esbuild, one context each: `--watch` rebuilds on change,
// `--production` minifies and drops sourcemaps. Types are checked separately by `npm run typecheck`.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { appBundles } from './packages/app/build.mjs';
import { generate as generateConfigValidator } from './scripts/configSchema.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};
/**
 * One namespace object per external module (node builtins, `vscode`) for the whole bundle. esbuild
 * gives every `import * as fs from 'node:fs'` its own copy of the module's properties (`__toESM`):
 * ninety copies in the host, about a fifth of its load time, which `manito up` waits for. Routed
 * through one `export * from` module each, the copy is made once.
 */
const sharedNamespaces = {
  name: 'shared-namespaces',
  setup(build) {
    const shim = 'shared-namespace';
    build.onResolve({ filter: /^(node:[a-z_/]+|vscode)$/ }, (args) =>
      args.namespace === shim ? { path: args.path, external: true } : { path: args.path, namespace: shim });
    build.onLoad({ filter: /.*/, namespace: shim }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)};`, loader: 'js' }));
  },
};
const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', plugins: [sharedNamespaces] };

/** @type {import('esbuild').BuildOptions[]} */
const entries = [
  // Runs in VS Code's extension host; `vscode` is provided at run time.
  { ...nodeCommon, entryPoints: ['extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The background host process (language-server style), spawned by the extension or `manito host`.
  // `module` first: jsonc-parser's UMD main requires its parts dynamically, which a bundle cannot follow.
  { ...nodeCommon, entryPoints: ['server/main.ts'], outfile: 'dist/host.js', mainFields: ['module', 'main'] },
  // The command line; runs with plain `node`.
  { ...nodeCommon, entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, mainFields: ['module', 'main'] },
  // The reaper: ends the services of a host or `manito up` that died (server/proc/reaperMain.ts).
  { ...nodeCommon, entryPoints: ['server/proc/reaperMain.ts'], outfile: 'dist/reaper.js' },
  // App-side helpers for the user's own code (ports client, Vite plugin), as the manito-app package builds them.
  ...appBundles('dist', 'app', { production }),
  // The dashboard, in the webview iframe and in a browser tab served by the host.
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview/dashboard.js' },
];

function copyStatic() {
  mkdirSync('dist/webview', { recursive: true });
  cpSync('webview/dashboard.css', 'dist/webview/dashboard.css');
  cpSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
  cpSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
}

// The schema's bounds and the validator compiled from it, before anything bundles the validator.
await generateConfigValidator();

const contexts = await Promise.all(entries.map((options) => esbuild.context(options)));
try {
  if (watch) {
    copyStatic();
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    console.log('esbuild: watching for changes');
  } else {
    await Promise.all(contexts.map((ctx) => ctx.rebuild()));
    copyStatic();
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
} catch (error) {
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
  process.exitCode = 1;
}
