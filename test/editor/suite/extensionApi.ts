// Extension-host suite (runs inside VS Code with the real API) for the extension's own behaviour:
// the host comes up, `manito.port.<service>` answers for ${command:...} use, Start Stack runs each
// service as the host's own process shown in a terminal named after it with its ports in the
// environment, closing that terminal stops the service, and Restart Host keeps every assignment.
// The workspace (made by test/editor/extensionApi.test.ts) has a manito.json with one service
// "web" on a free port written into MANITO_TEST_WEB_PORT of that file's sibling port.txt.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ActivationResult } from '../../../extension/main';
import { runRegistered, test, waitFor } from './runner';

const EXTENSION_ID = 'manito.manito';

function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the suite needs a workspace folder');
  return folder;
}

function webPort(): number {
  return Number(fs.readFileSync(path.join(workspace(), 'port.txt'), 'utf8'));
}

async function exports(): Promise<ActivationResult> {
  const extension = vscode.extensions.getExtension<ActivationResult>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** The internals, handed out only because VS Code runs the extension under test here. */
async function api(): Promise<NonNullable<ActivationResult['testing']>> {
  const { testing } = await exports();
  assert.ok(testing, 'activate() returns its internals in test mode');
  return testing;
}

async function get(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

test('the host starts and the controller serves the workspace config', async () => {
  const { controller } = await api();
  await waitFor('the host to run', () => controller.isRunning, 60_000);
  const snapshot = await waitFor('a snapshot', () => controller.snapshot, 30_000);
  assert.equal(snapshot.configSource, 'file');
  assert.deepEqual(snapshot.services.map((s) => s.name).sort(), ['api', 'web']);
}, { timeoutMs: 90_000 });

test('manito.port.web and manito.port return the port as a string, for ${command:...}', async () => {
  const { portCommands } = await api();
  await waitFor('manito.port.web to be registered', async () => (await vscode.commands.getCommands(true)).includes('manito.port.web'));
  assert.ok(portCommands().includes('manito.port.web'));
  const expected = String(webPort());
  assert.equal(await vscode.commands.executeCommand('manito.port.web'), expected);
  assert.equal(await vscode.commands.executeCommand('manito.port', 'web'), expected);
  assert.equal(await vscode.commands.executeCommand('manito.port', { service: 'web' }), expected);
  // api inherits from web: same port.
  assert.equal(await vscode.commands.executeCommand('manito.port.api'), expected);
  await assert.rejects(Promise.resolve(vscode.commands.executeCommand('manito.port', 'nope')), /no service "nope"/);
});

test('Start Stack opens a terminal named "web" whose process is the service, on its port with the stack in its env', async () => {
  await vscode.commands.executeCommand('manito.startStack');
  await waitFor('a terminal named web', () => vscode.window.terminals.find((t) => t.name === 'web'), 30_000);
  const body = await waitFor('the web service to answer', () => get(`http://127.0.0.1:${webPort()}/env`), 30_000);
  const env = JSON.parse(body) as Record<string, string>;
  assert.equal(env.PORT, String(webPort()));
  assert.equal(env.MANITO_WEB_PORT, String(webPort()));
  assert.equal(env.MANITO_API_PORT, String(webPort()));
  // The host spawned it (a process it owns, shown in the pseudo-terminal): the pid it reports is
  // the very process answering on the port.
  const { controller } = await api();
  const web = await waitFor('web to run as the host\'s process', () => {
    const view = controller.snapshot?.services.find((s) => s.name === 'web');
    return view?.runner === 'process' && view.pid !== null ? view : undefined;
  }, 30_000);
  assert.equal(web.pid, Number(env.PID), 'the host\'s pid for web is the server that answered');
}, { timeoutMs: 90_000 });

test('Restart Host keeps the assignments; the service ends with its host, its terminal stays and runs it again', async () => {
  const { controller } = await api();
  const before = controller.snapshot!.services.map((s) => [s.name, s.port]);
  const oldPid = controller.snapshot!.services.find((s) => s.name === 'web')!.pid;
  await vscode.commands.executeCommand('manito.restartHost');
  await waitFor('the host to run again', () => controller.isRunning, 60_000);
  const after = await waitFor('a fresh snapshot', () => controller.snapshot && controller.snapshot.host.pid, 30_000);
  assert.ok(after);
  assert.deepEqual(controller.snapshot!.services.map((s) => [s.name, s.port]), before);
  assert.ok(vscode.window.terminals.some((t) => t.name === 'web'), 'the service terminal survived the restart');
  // No orphans: the host that spawned web ended it when it stopped.
  await waitFor('the old web to be gone', async () => (await get(`http://127.0.0.1:${webPort()}/env`)) === undefined, 30_000);
  // Start Stack on the new host runs it again, on the same port, in the same terminal.
  await vscode.commands.executeCommand('manito.startStack');
  const body = await waitFor('web to answer again', () => get(`http://127.0.0.1:${webPort()}/env`), 30_000);
  const pid = Number((JSON.parse(body) as Record<string, string>).PID);
  assert.notEqual(pid, oldPid, 'a new process serves web');
  await waitFor('the new host to run web', () => controller.snapshot?.services.find((s) => s.name === 'web')?.pid === pid, 30_000);
  assert.equal(vscode.window.terminals.filter((t) => t.name === 'web').length, 1, 'the terminal was reused, not doubled');
}, { timeoutMs: 150_000 });

test('closing the terminal tells the host: the service is stopped and its port free', async () => {
  const terminal = vscode.window.terminals.find((t) => t.name === 'web');
  assert.ok(terminal);
  terminal.dispose();
  const { controller } = await api();
  await waitFor('web to be marked not running', () => controller.snapshot?.services.find((s) => s.name === 'web')?.runner === null, 30_000);
  await waitFor('the port to be free', async () => (await get(`http://127.0.0.1:${webPort()}/env`)) === undefined, 30_000);
}, { timeoutMs: 60_000 });

test('Create Config leaves an existing manito.json alone and opens it', async () => {
  const file = path.join(workspace(), 'manito.json');
  const before = fs.readFileSync(file, 'utf8');
  await vscode.commands.executeCommand('manito.createConfig');
  assert.equal(fs.readFileSync(file, 'utf8'), before);
  await waitFor('manito.json to be the active editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === file);
});

test('the public API is version 1 and small: getPorts(folder) and onDidChangePorts, nothing internal', async () => {
  const result = await exports();
  assert.deepEqual(Object.keys(result).sort(), ['getPorts', 'onDidChangePorts', 'testing', 'version']);
  assert.equal(result.version, 1);
  const folder = vscode.workspace.workspaceFolders![0]!.uri;
  const expected = { web: webPort(), api: webPort() };
  assert.deepEqual(await result.getPorts(folder), expected);
  assert.deepEqual(await result.getPorts(vscode.Uri.joinPath(folder, 'web.js')), expected, 'a file inside the folder names the folder');
  await assert.rejects(result.getPorts(vscode.Uri.file('/nowhere/else')), /Manito serves no folder holding \/nowhere\/else/);
  await assert.rejects(result.getPorts(undefined as unknown as vscode.Uri), TypeError);
});

test('onDidChangePorts fires with the folder and its new ports when manito.json gains a service', async () => {
  const result = await exports();
  const folder = vscode.workspace.workspaceFolders![0]!.uri;
  const file = path.join(workspace(), 'manito.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, unknown> };
  const changed = new Promise<{ folderUri: vscode.Uri; ports: Readonly<Record<string, number>> }>((resolve) => {
    const sub = result.onDidChangePorts((event) => {
      if (!('extra' in event.ports)) return;
      sub.dispose();
      resolve(event);
    });
  });
  config.services.extra = { kind: 'tcp' };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  // The test's own timeout bounds the wait.
  const event = await changed;
  assert.equal(event.folderUri.fsPath, folder.fsPath);
  assert.equal(event.ports.web, webPort());
  assert.equal(typeof event.ports.extra, 'number');
  assert.deepEqual(await result.getPorts(folder), { ...event.ports });
}, { timeoutMs: 60_000 });

test('a change of manito.host.ports applies at once: the host restarts on the new port', async () => {
  const { controller } = await api();
  const port = await new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    }).on('error', reject);
  });
  const config = vscode.workspace.getConfiguration('manito');
  await config.update('host.ports', [port], vscode.ConfigurationTarget.Global);
  try {
    await waitFor(`the host to answer on ${port}`, () => controller.isRunning && controller.snapshot?.host.port === port, 60_000);
  } finally {
    await config.update('host.ports', undefined, vscode.ConfigurationTarget.Global);
  }
  await waitFor('the host back on its default range', () => controller.isRunning && controller.snapshot?.host.port !== port, 60_000);
}, { timeoutMs: 150_000 });

export function run(): Promise<void> {
  return runRegistered();
}
