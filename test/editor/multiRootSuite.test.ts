// Runs test/editor/suite/multiRoot.ts inside code-server's extension host on a .code-workspace with
// two stack folders (the same service on the same preferred ports) and a docs folder.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from './harness/codeServer';
import { useEditorSession } from './harness';

const editorSession = useEditorSession({ env: { MANITO_PROXY: 'off' } });

const PRINT_PORT = "require('node:fs').writeFileSync(require('node:path').join(__dirname, 'port-out.txt'), String(process.env.PORT));\n";

test('extension-host suite: a multi-root workspace, launch configurations resolve ports in their own folder', { timeout: 360_000 }, async () => {
  const session = editorSession();
  const preferred = [await freePort(), await freePort(), await freePort()];
  const stack = JSON.stringify({ services: { web: { kind: 'http', preferred } } }, null, 2);
  const root = session.workspace({
    'app-a/manito.json': stack,
    'app-a/print-port.js': PRINT_PORT,
    'app-b/manito.json': stack,
    'app-b/print-port.js': PRINT_PORT,
    'docs/index.md': '# no stack here\n',
  });
  const workspaceFile = join(root, 'stacks.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: 'app-a' }, { path: 'app-b' }, { path: 'docs' }] }, null, 2));
  const result = await session.runSuite(workspaceFile, { suite: 'multiRoot', screenshotOnFailure: 'multiroot-suite-failure', timeoutMs: 300_000 });
  console.log(result.logs.filter((l) => /ok - |passed|launch got/.test(l)).join('\n'));
  assert.equal(result.exitCode, 0, `extension-host suite failed:\n${result.logs.join('\n')}`);
});
