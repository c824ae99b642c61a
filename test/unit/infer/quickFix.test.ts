// The editor's Quick Fix for one hard-coded port: the rewrite in the file's language, and the
// change to manito.json when the fixed code needs one (a service for a port nobody owns, the
// VITE_* variable Vite client code reads), made with the file's own formatting kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import { scanText } from '../../../server/infer/portScan';
import { quickFixFor } from '../../../server/infer/quickFix';

const one = (path: string, text: string) => {
  const f = scanText(path, text).find((x) => x.kind !== 'env-default');
  assert.ok(f, `a finding in ${path}`);
  return f;
};

const STACK: StackConfig = {
  services: {
    api: { preferred: [8000, 8001], cwd: 'api', command: 'node index.js' },
    web: { preferred: [5173], kind: 'vite', cwd: 'web', command: 'npx vite --port ${port}' },
  },
};

test('a port a service owns: the rewrite alone, nothing in manito.json', () => {
  const text = "app.listen(8000);\n";
  const fix = quickFixFor(one('api/index.js', text), text, STACK, { text: '{}' });
  assert.ok(!('reason' in fix));
  assert.equal(fix.title, 'Read port 8000 from MANITO_API_PORT');
  assert.equal(fix.edits[0]!.newText, 'Number(process.env.MANITO_API_PORT ?? 8000)');
  assert.equal(fix.config, undefined);
});

test('Vite client code reads import.meta.env, and the client service gets the variable in manito.json', () => {
  const text = "const socket = io('http://localhost:8000');\n";
  const config = '{\n  // ours\n  "services": {\n    "api": { "preferred": [8000, 8001], "cwd": "api", "command": "node index.js" },\n    "web": { "preferred": [5173], "kind": "vite", "cwd": "web", "command": "npx vite --port ${port}" }\n  }\n}\n';
  const fix = quickFixFor(one('web/src/socket.js', text), text, STACK, { text: config });
  assert.ok(!('reason' in fix));
  assert.equal(fix.title, 'Read port 8000 from VITE_API_PORT (and add it to manito.json)');
  assert.equal(fix.edits[0]!.newText, '`http://localhost:${import.meta.env.VITE_API_PORT ?? 8000}`');
  assert.ok(fix.config && !fix.config.created);
  assert.match(fix.config.text, /\/\/ ours/, 'comments kept');
  assert.match(fix.config.text, /"env": \{\s*"VITE_API_PORT": "\$\{ports\.api\}"\s*\}/);
});

test('a listener on a port no service owns: a service of its own, added to the existing manito.json', () => {
  const text = 'import os\nrun(port=9200)\n';
  const config = JSON.stringify(STACK, null, 2);
  const fix = quickFixFor(one('worker/main.py', text), text, STACK, { text: config });
  assert.ok('reason' in fix, 'an option object is not a listener: no service is invented for it');
  const listen = "server.listen(9200);\n";
  const added = quickFixFor(one('worker/main.js', listen), listen, STACK, { text: config });
  assert.ok(!('reason' in added));
  assert.equal(added.edits[0]!.newText, 'Number(process.env.MANITO_WORKER_PORT ?? 9200)');
  const written = JSON.parse(added.config!.text) as StackConfig;
  assert.deepEqual(written.services.worker, { preferred: [9200, 9201, 9202], kind: 'http', description: 'hard-coded in worker/main.js:1', cwd: 'worker' });
});

test('Python reads os.environ and gets `import os` when it lacks it', () => {
  const text = "app.run(port=8000)\n";
  const fix = quickFixFor(one('api/app.py', text), text, STACK, { text: null });
  assert.ok(!('reason' in fix));
  assert.equal(fix.edits[0]!.newText, 'int(os.environ.get("MANITO_API_PORT", "8000"))');
  assert.deepEqual(fix.prepend, ['import os']);
  assert.equal(fix.title, 'Read port 8000 from MANITO_API_PORT');
});
