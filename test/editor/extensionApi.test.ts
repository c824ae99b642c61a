// Runs test/editor/suite/extensionApi.ts inside code-server's extension host on a workspace whose
// manito.json has a "web" service (a small node:http server the host runs, shown in a terminal) on a free port
// and an "api" service that inherits it.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from './harness/codeServer';
import { useEditorSession } from './harness';

const editorSession = useEditorSession();

const WEB_SERVER = `// Answers /env with the environment Manito gave it, and its own pid as PID.
require('node:http').createServer((req, res) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'PORT' || /^MANITO_/.test(k)));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ...env, PID: String(process.pid) }));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('web on', process.env.PORT));
`;

test('extension-host suite: port commands, terminals, restart, create config', { timeout: 360_000 }, async () => {
  const session = editorSession();
  const port = await freePort();
  const folder = session.workspace({
    'manito.json': JSON.stringify({
      services: {
        web: { kind: 'http', preferred: [port], command: 'node web.js', health: { type: 'http', path: '/env' } },
        api: { kind: 'http', inheritFrom: 'web' },
      },
    }, null, 2),
    'web.js': WEB_SERVER,
    'port.txt': String(port),
  });
  const result = await session.runSuite(folder, { suite: 'extensionApi', screenshotOnFailure: 'extension-api-suite-failure', timeoutMs: 300_000 });
  console.log(result.logs.filter((l) => /ok - |passed/.test(l)).join('\n'));
  assert.equal(result.exitCode, 0, `extension-host suite failed:\n${result.logs.join('\n')}`);
});
