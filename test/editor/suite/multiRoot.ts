// Extension-host suite for a multi-root workspace (made by test/editor/multiRootSuite.test.ts):
// folders "app-a" and "app-b" each have a manito.json with a service "web" on the same preferred
// ports, and a print-port.js that writes process.env.PORT to port-out.txt beside it. Each folder is
// served by its own host, and `${command:manito.port.web}` in a launch configuration resolves to the
// port of the launch's own folder; `manito.port` with `{ service, folder }` answers for that folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActivationResult, ManitoTesting } from '../../../extension/main';
import { runRegistered, test, waitFor } from './runner';

async function api(): Promise<ManitoTesting> {
  const extension = vscode.extensions.getExtension<ActivationResult>('manito.manito');
  assert.ok(extension, 'manito.manito is not installed');
  const { testing } = await extension.activate();
  assert.ok(testing, 'activate() returns its internals in test mode');
  return testing;
}

function servedWebPort(manito: ManitoTesting, folder: vscode.WorkspaceFolder): number | undefined {
  const host = manito.folders().find((f) => f.folder.uri.toString() === folder.uri.toString());
  return host?.controller.snapshot?.services.find((s) => s.name === 'web')?.port ?? undefined;
}

function stackFolders(): vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => fs.existsSync(path.join(f.uri.fsPath, 'manito.json')));
}

test('each folder with a manito.json has its own running host, on distinct ports', async () => {
  const manito = await api();
  const folders = stackFolders();
  assert.deepEqual(folders.map((f) => f.name), ['app-a', 'app-b']);
  await waitFor('both hosts with a port for web', () => folders.every((f) => servedWebPort(manito, f) !== undefined), 60_000);
  assert.deepEqual(manito.folders().map((f) => f.folder.name), ['app-a', 'app-b'], 'the docs folder without manito.json is not served');
  assert.notEqual(servedWebPort(manito, folders[0]), servedWebPort(manito, folders[1]));
}, { timeoutMs: 90_000 });

test('${command:manito.port.web} in a launch configuration is the port of the launch\'s own folder', async () => {
  const manito = await api();
  // Second folder first: a lookup that ignored the folder would answer with the first folder's port.
  for (const folder of stackFolders().reverse()) {
    const out = path.join(folder.uri.fsPath, 'port-out.txt');
    fs.rmSync(out, { force: true });
    const started = await vscode.debug.startDebugging(folder, {
      type: 'node', request: 'launch', name: `port of ${folder.name}`,
      program: '${workspaceFolder}/print-port.js',
      env: { PORT: '${command:manito.port.web}' },
      console: 'internalConsole',
    });
    assert.ok(started, `the launch in ${folder.name} did not start`);
    const written = await waitFor(`${folder.name}'s program to write its PORT`, () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : ''), 60_000);
    assert.equal(Number(written), servedWebPort(manito, folder), `${folder.name} got ${written}`);
    console.log(`${folder.name}: launch got PORT=${written}`);
  }
}, { timeoutMs: 150_000 });

test('manito.port with { service, folder } answers for that folder', async () => {
  const manito = await api();
  for (const folder of stackFolders()) {
    const port = await vscode.commands.executeCommand<string>('manito.port', { service: 'web', folder: folder.name });
    assert.equal(Number(port), servedWebPort(manito, folder));
  }
});

export function run(): Promise<void> {
  return runRegistered();
}
