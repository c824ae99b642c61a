// The packaged .vsix carries the bundles and the manifest's files, and nothing else: no
// node_modules, no TypeScript sources, no tests, no source maps, no platform binary. Everything the manifest points at
// (entry point, CLI, icons, schemas) must be inside it.
import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureVsix, listZip, readZipEntry, type ZipEntry } from '../editor/harness/vsix';

// Paths inside the .vsix; vsce puts the extension under extension/ and lower-cases readme.md.
const ALLOWED: RegExp[] = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/,
  /^extension\/changelog\.md$/,
  /^extension\/LICENSE\.txt$/,
  /^extension\/media\/[\w.-]+\.(svg|png)$/,
  /^extension\/media\/walkthrough\/[\w.-]+\.md$/,
  /^extension\/package\.nls(\.[\w-]+)?\.json$/,
  /^extension\/l10n\/bundle\.l10n(\.[\w-]+)?\.json$/,
  /^extension\/schemas\/[\w.-]+\.json$/,
  /^extension\/dist\/(extension|host|cli|app|reaper)\.js$/,
  /^extension\/dist\/app\.mjs$/,
  /^extension\/dist\/webview\/[\w.-]+\.(js|css|ttf|svg|png)$/,
];

const FORBIDDEN: Array<[RegExp, string]> = [
  [/(^|\/)node_modules\//, 'node_modules (dist bundles every dependency)'],
  [/\.(ts|tsx|mts|cts)$/, 'a TypeScript source'],
  [/\.map$/, 'a source map'],
  [/(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$/, 'a test'],
  [/(^|\/)(\.git|\.cache|\.ci|out|src|scripts|bench|examples)\//, 'a folder that is not part of the extension'],
  // One .vsix serves every platform (x64 and arm64, glibc and musl, macOS, Windows): no native code.
  [/\.(node|so|dylib|dll)$/, 'a platform binary'],
];

let vsix = '';
let entries: ZipEntry[] = [];

before(async () => {
  vsix = await ensureVsix();
  entries = listZip(vsix);
}, { timeout: 180_000 });

test('carries no node_modules, sources, tests, source maps or platform binaries', () => {
  const offences = entries.flatMap((e) =>
    FORBIDDEN.filter(([pattern]) => pattern.test(e.name)).map(([, why]) => `${e.name}: ${why}`));
  assert.deepEqual(offences, []);
});

test('carries nothing outside the allowlist', () => {
  const unexpected = entries.map((e) => e.name).filter((name) => !ALLOWED.some((p) => p.test(name)));
  assert.deepEqual(unexpected, [], 'extend .vscodeignore and this allowlist together if a new file must ship');
});

test('carries every file the manifest refers to', () => {
  const names = new Set(entries.map((e) => e.name));
  const manifest = JSON.parse(readZipEntry(vsix, 'extension/package.json').toString('utf8'));
  const inside = (p: string) => `extension/${p.replace(/^\.\//, '')}`;
  const referenced: string[] = [
    manifest.main,
    ...Object.values<string>(manifest.bin ?? {}),
    ...(manifest.contributes?.viewsContainers?.activitybar ?? []).map((c: { icon: string }) => c.icon),
    ...(manifest.contributes?.jsonValidation ?? []).map((v: { url: string }) => v.url).filter((u: string) => !/^https?:/.test(u)),
    ...(manifest.icon ? [manifest.icon] : []),
    ...(manifest.contributes?.walkthroughs ?? []).flatMap((w: { steps: { media: { markdown?: string } }[] }) =>
      w.steps.flatMap((s) => (s.media.markdown ? [s.media.markdown] : []))),
    ...(manifest.l10n ? [`${manifest.l10n}/bundle.l10n.json`] : []),
    ...(JSON.stringify(manifest).includes('"%') ? ['package.nls.json'] : []),
  ];
  const required = [
    'extension/readme.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension/dist/host.js',
    'extension/dist/cli.js',
    // The host spawns it: without it nothing ends the services of a host that was killed.
    'extension/dist/reaper.js',
    'extension/dist/webview/dashboard.js',
    'extension/dist/webview/dashboard.css',
    ...referenced.map(inside),
  ];
  const missing = [...new Set(required)].filter((name) => !names.has(name));
  assert.deepEqual(missing, []);
});

test('ships minified production bundles with a runnable CLI', () => {
  const cli = readZipEntry(vsix, 'extension/dist/cli.js').toString('utf8');
  assert.ok(cli.startsWith('#!/usr/bin/env node'), 'dist/cli.js lacks its shebang');
  for (const name of ['extension/dist/extension.js', 'extension/dist/host.js', 'extension/dist/cli.js']) {
    const code = readZipEntry(vsix, name).toString('utf8');
    assert.doesNotMatch(code, /sourceMappingURL=/, `${name} points at a source map`);
  }
});

test('stays small', () => {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  // Bundles plus codicons are well under this; a jump usually means something leaked in.
  assert.ok(total < 5 * 1024 * 1024, `${entries.length} files, ${total} bytes unpacked`);
  console.log(`${vsix}: ${entries.length} files, ${total} bytes unpacked`);
});
