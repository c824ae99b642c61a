// Where the editor harness finds the repository, the code-server install and its outputs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The nearest folder above this file whose package.json is Manito's: this file also runs bundled
 * into out/ (the benches), where its own depth in the tree says nothing.
 */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'manito') return dir;
    if (dirname(dir) === dir) throw new Error(`no Manito package.json above ${from}`);
  }
}

export const repoRoot = findRepoRoot(resolve(__dirname));
export const codeServerVersion = '4.99.4';
export const codeServerCache = resolve(process.env.MANITO_CODE_SERVER_CACHE ?? join(repoRoot, '.cache', 'code-server'));
export const codeServerEntry = join(codeServerCache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.MANITO_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = join(repoRoot, 'test-results', 'screenshots');
export const suiteOutDir = join(repoRoot, 'out', 'test', 'suite');
