// Runs the extension-host suite (test/editor/suite/index.ts) on desktop VS Code through
// @vscode/test-electron. Set MANITO_VSCODE_PATH to a local VS Code executable to use it as is;
// without it, test-electron downloads VS Code from Microsoft's update service, which machines
// without that network route (our CI among them) cannot reach: there the editor tier covers the
// same suite on code-server instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';

const root = fileURLToPath(new URL('../..', import.meta.url));
const vscodeExecutablePath = process.env.MANITO_VSCODE_PATH;

if (vscodeExecutablePath && !existsSync(vscodeExecutablePath)) {
  console.error(`test:electron: MANITO_VSCODE_PATH=${vscodeExecutablePath} does not exist`);
  process.exit(1);
}

console.log('== build ==');
if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('test:electron: build failed');
  process.exit(1);
}
const extensionTestsPath = join(root, 'out', 'test', 'suite', 'index.js');
await esbuild.build({
  entryPoints: [join(root, 'test', 'editor', 'suite', 'index.ts')],
  outfile: extensionTestsPath,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

const workspace = mkdtempSync(join(tmpdir(), 'manito-electron-ws-'));
const scratch = mkdtempSync(join(tmpdir(), 'manito-electron-'));
try {
  console.log(vscodeExecutablePath
    ? `== running the suite on ${vscodeExecutablePath} ==`
    : '== MANITO_VSCODE_PATH is not set: downloading VS Code (needs access to update.code.visualstudio.com) ==');
  const exitCode = await runTests({
    ...(vscodeExecutablePath ? { vscodeExecutablePath } : {}),
    extensionDevelopmentPath: root,
    extensionTestsPath,
    extensionTestsEnv: { MANITO_STATE_DIR: join(scratch, 'state') },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir', join(scratch, 'user-data'),
      '--extensions-dir', join(scratch, 'extensions'),
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  process.exitCode = exitCode;
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`test:electron failed: ${message}`);
  if (!vscodeExecutablePath) {
    console.error(
      'No local VS Code was given and @vscode/test-electron could not download one. On machines ' +
        'without a route to Microsoft\'s update service this cannot work: set MANITO_VSCODE_PATH to ' +
        'an installed VS Code (e.g. /usr/share/code/code), or run `npm run test:editor`, which runs ' +
        'the same suite in code-server.',
    );
  }
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}
