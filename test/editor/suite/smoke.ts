// Smoke checks in the real `vscode` API: the packaged extension is present, activates, and
// registers every command its manifest contributes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { test, waitFor } from './runner';

const EXTENSION_ID = 'manito.manito';

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

test('the Manito extension is installed with its bundled entry point', () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not among ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
  const main = path.join(extension.extensionPath, extension.packageJSON.main as string);
  assert.ok(fs.existsSync(main), `${main} is missing`);
});

test('the extension activates when its view is opened', async () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  await vscode.commands.executeCommand('workbench.view.extension.manito');
  await waitFor('the extension to activate', () => extension.isActive);
});

test('every contributed command is registered, under the Manito category', async () => {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  await extension.activate();
  const contributed = (extension.packageJSON.contributes?.commands ?? []) as ContributedCommand[];
  assert.ok(contributed.length > 0, 'the manifest contributes no commands');
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
  assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  for (const c of contributed) assert.equal(c.category, 'Manito', `${c.command} has category ${c.category}`);
});

test('Show Logs runs without error', async () => {
  await vscode.commands.executeCommand('manito.showLogs');
});
