// Where the editor harness finds the repository, the code-server install and its outputs.
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const codeServerVersion = '4.99.4';
export const codeServerCache = resolve(process.env.MANITO_CODE_SERVER_CACHE ?? join(repoRoot, '.cache', 'code-server'));
export const codeServerEntry = join(codeServerCache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.MANITO_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = join(repoRoot, 'test-results', 'screenshots');
export const suiteOutDir = join(repoRoot, 'out', 'test', 'suite');
