// The built host over JSON-RPC on a folder without manito.json, as the editor sees it: the stack
// is inferred and labelled with its files, each hard-coded port gets an Information diagnostic
// (following the editor's unsaved text), its Quick Fix rewrites it to read the environment and,
// for a port no service owns, adds the service to manito.json; the setting turns the diagnostics
// off; "Save Inferred Stack as manito.json" writes the file once and the host then serves it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import {
  CodeActionRequest, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, InitializeRequest, InitializedNotification,
  PublishDiagnosticsNotification, DiagnosticSeverity, ShutdownRequest, ExitNotification, type PublishDiagnosticsParams, type CodeAction, type TextEdit, type TextDocumentEdit,
} from 'vscode-languageserver-protocol';
import { GetSnapshot, SaveInferredConfig, SettingsChanged, SnapshotChanged, type HostInitOptions } from '../../protocol/lsp';
import type { StackSnapshot } from '../../protocol/model';
import { runCli } from './cliSupport';
import { exitOf, makeWorkspace, spawnLsp, type LspHost, type Workspace } from './support/hostProcess';

const SERVER_JS = "const http = require('node:http');\nhttp.createServer((req, res) => res.end('ok')).listen(8000);\n";
const WORKER_JS = "require('node:net').createServer().listen(9100);\n";

let ws: Workspace;
let lsp: LspHost;
const published: PublishDiagnosticsParams[] = [];
const snapshots: StackSnapshot[] = [];
const waiters: Array<() => void> = [];
const wake = () => { for (const w of waiters.splice(0)) w(); };
const uriOf = (rel: string) => pathToFileURL(path.join(ws.dir, rel)).href;

function until<T>(what: string, pick: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\nhost stderr:\n${lsp.stderr()}`)), timeoutMs);
    const check = () => {
      const v = pick();
      if (v !== undefined) { clearTimeout(timer); resolve(v); } else waiters.push(check);
    };
    check();
  });
}

/** The latest diagnostics published for a file, once `ok` accepts them. */
function diagnosticsOf(rel: string, ok: (d: PublishDiagnosticsParams) => boolean, what: string) {
  return until(what, () => {
    const last = published.filter((d) => d.uri === uriOf(rel)).at(-1);
    return last && ok(last) ? last : undefined;
  });
}

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  for (const e of [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
    assert.equal(e.range.start.line, e.range.end.line, 'single-line edits');
    const line = lines[e.range.start.line]!;
    lines[e.range.start.line] = line.slice(0, e.range.start.character) + e.newText + line.slice(e.range.end.character);
  }
  return lines.join('\n');
}

before(async () => {
  ws = makeWorkspace();
  fs.writeFileSync(path.join(ws.dir, 'package.json'), JSON.stringify({ name: 'shop', scripts: { start: 'node server.js' } }));
  fs.writeFileSync(path.join(ws.dir, 'server.js'), SERVER_JS);
  lsp = spawnLsp(ws);
  const c = lsp.connection;
  c.onNotification(PublishDiagnosticsNotification.type, (d) => { published.push(d); wake(); });
  c.onNotification(SnapshotChanged.type, (s) => { snapshots.push(s); wake(); });
  c.onNotification('window/logMessage', () => undefined);
  const init: HostInitOptions = { workspace: ws.dir, trusted: false, hostPorts: [0] };
  const result = await c.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: init });
  assert.ok(result.capabilities.codeActionProvider, 'the host announces code actions');
  await c.sendNotification(InitializedNotification.type, {});
});

after(async () => {
  try {
    await lsp.connection.sendRequest(ShutdownRequest.type);
    await lsp.connection.sendNotification(ExitNotification.type);
    await exitOf(lsp.child);
  } finally {
    await lsp.close();
    ws.cleanup();
  }
});

test('without manito.json the host serves the inferred stack, says where it came from and what each service gets', async () => {
  const snapshot = await lsp.connection.sendRequest(GetSnapshot.type);
  assert.equal(snapshot.configSource, 'inferred');
  assert.equal(snapshot.configOrigin.label, 'inferred from package.json');
  assert.deepEqual(snapshot.services.map((s) => s.name), ['shop']);
  const shop = snapshot.services[0]!;
  assert.deepEqual(shop.inferredFrom, ['package.json scripts.start (Node.js)']);
  assert.deepEqual(shop.env?.[0], { name: 'PORT', value: String(shop.port), why: 'its own port' });
});

test('a hard-coded port gets an Information diagnostic on its digits, following the unsaved text', async () => {
  const first = await diagnosticsOf('server.js', (d) => d.diagnostics.length > 0, 'diagnostics for server.js');
  assert.equal(first.diagnostics.length, 1);
  const d = first.diagnostics[0]!;
  assert.equal(d.severity, DiagnosticSeverity.Information);
  assert.equal(d.source, 'manito');
  assert.equal(d.code, 'hardcoded-port');
  assert.deepEqual(d.range, { start: { line: 1, character: 54 }, end: { line: 1, character: 58 } });
  assert.equal(SERVER_JS.split('\n')[1]!.slice(54, 58), '8000');
  // The editor opens the file and inserts a line above: the diagnostic moves with the text.
  const c = lsp.connection;
  await c.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf('server.js'), languageId: 'javascript', version: 1, text: SERVER_JS } });
  await c.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uriOf('server.js'), version: 2 }, contentChanges: [{ text: `// edited\n${SERVER_JS}` }] });
  await diagnosticsOf('server.js', (p) => p.diagnostics[0]?.range.start.line === 2, 'the diagnostic on line 3');
  await c.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uriOf('server.js'), version: 3 }, contentChanges: [{ text: SERVER_JS }] });
  await diagnosticsOf('server.js', (p) => p.diagnostics[0]?.range.start.line === 1, 'the diagnostic back on line 2');
});

test('the Quick Fix rewrites the port to read MANITO_SHOP_PORT; a port no service owns also gets a service in manito.json', async () => {
  const c = lsp.connection;
  const d = (await diagnosticsOf('server.js', (p) => p.diagnostics.length === 1, 'the diagnostic')).diagnostics[0]!;
  const actions = await c.sendRequest(CodeActionRequest.type, { textDocument: { uri: uriOf('server.js') }, range: d.range, context: { diagnostics: [d] } }) as CodeAction[];
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.title, 'Read port 8000 from MANITO_SHOP_PORT');
  assert.equal(actions[0]!.kind, 'quickfix');
  const changes = actions[0]!.edit!.documentChanges as TextDocumentEdit[];
  assert.equal(changes.length, 1, 'the inferred stack already has the service: manito.json is not needed');
  assert.equal(apply(SERVER_JS, changes[0]!.edits as TextEdit[]).split('\n')[1], "http.createServer((req, res) => res.end('ok')).listen(Number(process.env.MANITO_SHOP_PORT ?? 8000));");

  await c.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf('worker/index.js'), languageId: 'javascript', version: 1, text: WORKER_JS } });
  const w = (await diagnosticsOf('worker/index.js', (p) => p.diagnostics.length === 1, 'the worker diagnostic')).diagnostics[0]!;
  const more = await c.sendRequest(CodeActionRequest.type, { textDocument: { uri: uriOf('worker/index.js') }, range: w.range, context: { diagnostics: [w] } }) as CodeAction[];
  assert.equal(more[0]!.title, 'Read port 9100 from MANITO_WORKER_PORT (and save manito.json with it)');
  const all = more[0]!.edit!.documentChanges!;
  assert.deepEqual(all[1], { kind: 'create', uri: uriOf('manito.json'), options: { ignoreIfExists: true } });
  const config = JSON.parse(((all[2] as TextDocumentEdit).edits[0] as TextEdit).newText) as { services: Record<string, { preferred: number[]; cwd?: string }> };
  assert.deepEqual(Object.keys(config.services), ['shop', 'worker']);
  assert.deepEqual(config.services.worker, { preferred: [9100, 9101, 9102], kind: 'http', description: 'hard-coded in worker/index.js:1', cwd: 'worker' });
});

test('manito.diagnostics.hardcodedPorts off clears them; on publishes them again', async () => {
  const c = lsp.connection;
  await c.sendNotification(SettingsChanged.type, { hardcodedPortDiagnostics: false });
  await diagnosticsOf('server.js', (p) => p.diagnostics.length === 0, 'server.js cleared');
  await c.sendNotification(SettingsChanged.type, { hardcodedPortDiagnostics: true });
  await diagnosticsOf('server.js', (p) => p.diagnostics.length === 1, 'server.js again');
});

test('manito status says the stack is inferred, and from what', async () => {
  const r = await runCli(['status', ws.dir], { env: ws.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /development environment · minimal strategy · no manito\.json: inferred from package\.json/);
  const json = JSON.parse((await runCli(['status', ws.dir, '--json'], { env: ws.env })).stdout) as { configSource: string; configOrigin: { files: string[] } };
  assert.equal(json.configSource, 'inferred');
  assert.deepEqual(json.configOrigin.files, ['package.json']);
});

test('Save Inferred Stack writes manito.json once; the host then serves the file', async () => {
  const c = lsp.connection;
  const saved = await c.sendRequest(SaveInferredConfig.type);
  assert.equal(saved.ok, true, saved.message);
  assert.equal(saved.path, path.join(ws.dir, 'manito.json'));
  assert.deepEqual(Object.keys((JSON.parse(fs.readFileSync(saved.path, 'utf8')) as { services: object }).services), ['shop']);
  await until('a snapshot served from the file', () => snapshots.find((s) => s.configSource === 'file'));
  const snapshot = await c.sendRequest(GetSnapshot.type);
  assert.equal(snapshot.configOrigin.label, 'manito.json');
  const again = await c.sendRequest(SaveInferredConfig.type);
  assert.equal(again.ok, false);
  assert.match(again.message, /already exists/);
});
