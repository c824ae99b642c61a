// Every Manito command, as one table, run for one folder's host (commandDispatch.ts picks the
// folder). Each entry says whether it needs the host; when the host is down such commands still
// answer (commandDispatch.ts), saying why and offering Restart Host and Show Logs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, DEFAULT_STACK } from '../protocol/config';
import { RestartService, type ActionResult, StartService, StartStack, StopService, StopStack } from '../protocol/lsp';
import type { ServiceView } from '../protocol/model';
import type { HostController } from './hostController';
import type { Log } from './log';
import { ServiceItem } from './servicesTree';
import type { ServiceTerminals } from './terminals';

export interface CommandContext {
  extension: vscode.ExtensionContext;
  controller: HostController;
  terminals: ServiceTerminals;
  log: Log;
  /** The folder Manito serves; undefined when no folder is open. */
  workspace: string | undefined;
  openDashboard(): Promise<void> | void;
}

export interface CommandSpec {
  title: string;
  /** Needs a running host; answered with a message otherwise. */
  needsHost: boolean;
  run(ctx: CommandContext, ...args: unknown[]): unknown;
}

/** How long a command waits for a host that is still starting before it answers. */
const HOST_WAIT_MS = 15_000;

export const COMMANDS: Record<string, CommandSpec> = {
  'manito.startStack': {
    title: 'Start Stack',
    needsHost: true,
    run: async (ctx) => {
      if (!(await requireTrust('start the stack'))) return;
      await reportAction(ctx, 'Starting the stack', () => ctx.controller.request(StartStack.type));
    },
  },
  'manito.stopStack': {
    title: 'Stop Stack',
    needsHost: true,
    run: (ctx) => reportAction(ctx, 'Stopping the stack', () => ctx.controller.request(StopStack.type)),
  },
  'manito.startService': {
    title: 'Start Service',
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, 'Service to start', (s) => s.hasCommand && s.runner === null);
      if (!service || !(await requireTrust(`start ${service.name}`))) return;
      await reportAction(ctx, `Starting ${service.name}`, () => ctx.controller.request(StartService.type, { service: service.name }));
    },
  },
  'manito.stopService': {
    title: 'Stop Service',
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, 'Service to stop', (s) => s.runner === 'terminal' || s.runner === 'process');
      if (!service) return;
      await reportAction(ctx, `Stopping ${service.name}`, () => ctx.controller.request(StopService.type, { service: service.name }));
    },
  },
  'manito.restartService': {
    title: 'Restart Service',
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, 'Service to restart', (s) => s.hasCommand);
      if (!service || !(await requireTrust(`restart ${service.name}`))) return;
      await reportAction(ctx, `Restarting ${service.name}`, () => ctx.controller.request(RestartService.type, { service: service.name }));
    },
  },
  'manito.openDashboard': {
    title: 'Open Dashboard',
    needsHost: false,
    run: (ctx) => ctx.openDashboard(),
  },
  'manito.showLogs': {
    title: 'Show Logs',
    needsHost: false,
    run: (ctx) => ctx.log.show(),
  },
  'manito.copyUrl': {
    title: 'Copy URL',
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, 'Service whose URL to copy', (s) => s.url !== null);
      if (!service?.url) return;
      await vscode.env.clipboard.writeText(service.url);
      void vscode.window.showInformationMessage(`Copied ${service.url}`);
    },
  },
  'manito.openInBrowser': {
    title: 'Open in Browser',
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, 'Service to open', (s) => s.url?.startsWith('http') === true);
      if (!service?.url) return;
      if (!service.url.startsWith('http')) {
        void vscode.window.showWarningMessage(`${service.name} speaks ${service.kind}, not HTTP: ${service.url} cannot be opened in a browser. Use Copy URL.`);
        return;
      }
      // asExternalUri forwards the port when the editor runs remotely (code-server, SSH).
      const uri = await vscode.env.asExternalUri(vscode.Uri.parse(service.url));
      await vscode.env.openExternal(uri);
    },
  },
  'manito.restartHost': {
    title: 'Restart Host',
    needsHost: false,
    run: async (ctx) => {
      if (!ctx.workspace) return noFolder();
      await ctx.controller.restart();
      if (ctx.controller.isRunning) void vscode.window.setStatusBarMessage('$(check) Manito host restarted', 3000);
    },
  },
  'manito.createConfig': {
    title: 'Create Config',
    needsHost: false,
    run: (ctx) => createConfig(ctx),
  },
  'manito.port': {
    title: 'Port of Service',
    needsHost: false,
    run: (ctx, arg) => servicePort(ctx, serviceName(arg)),
  },
};

export async function hostReady(controller: HostController): Promise<boolean> {
  if (controller.isRunning) return true;
  if (controller.state !== 'starting') return false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, HOST_WAIT_MS);
    const sub = controller.onDidChangeState((state) => state !== 'starting' && done());
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
  return controller.isRunning;
}

/** The port as a string: `${command:...}` substitution accepts only strings. */
export async function servicePort(ctx: CommandContext, name: string | undefined): Promise<string> {
  if (!name) throw new Error('manito.port needs a service name, e.g. { "command": "manito.port", "args": "server" }');
  const snapshot = ctx.controller.snapshot ?? await ctx.controller.waitForSnapshot(HOST_WAIT_MS);
  if (!snapshot) throw new Error(`Manito does not know the ports yet. ${ctx.controller.unavailableReason}`);
  const service = snapshot.services.find((s) => s.name === name);
  if (!service) throw new Error(`Manito has no service "${name}"; the stack has ${snapshot.services.map((s) => s.name).join(', ')}`);
  if (service.port === null) throw new Error(`${name} has no port: ${service.error ?? service.explanation}`);
  return String(service.port);
}

export function serviceName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof ServiceItem) return arg.service.name;
  if (arg && typeof arg === 'object') {
    const o = arg as { service?: unknown; name?: unknown };
    if (typeof o.service === 'string') return o.service;
    if (typeof o.name === 'string') return o.name;
  }
  return undefined;
}

/** The service named by the argument (tree item, name, `{ service }`), or one the user picks. */
async function pickService(ctx: CommandContext, arg: unknown, placeHolder: string, fits: (s: ServiceView) => boolean): Promise<ServiceView | undefined> {
  const snapshot = ctx.controller.snapshot;
  if (!snapshot) {
    void vscode.window.showWarningMessage('Manito does not know the stack yet; try again in a moment.');
    return undefined;
  }
  const name = serviceName(arg);
  if (name !== undefined) {
    const service = snapshot.services.find((s) => s.name === name);
    if (!service) void vscode.window.showWarningMessage(`Manito has no service "${name}".`);
    return service;
  }
  const candidates = snapshot.services.filter(fits);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Manito: no service fits (${placeHolder.toLowerCase()}).`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((s) => ({ label: s.name, description: s.port === null ? 'no port' : String(s.port), detail: s.explanation || s.description, service: s })),
    { placeHolder },
  );
  return picked?.service;
}

async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    `Manito cannot ${action}: this workspace is not trusted, so no command from manito.json runs. Ports are still allocated and shown. Trust the workspace to run its services.`,
    'Manage Workspace Trust');
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

async function reportAction(ctx: CommandContext, title: string, action: () => Promise<ActionResult>): Promise<void> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Manito: ${title}` }, action);
  ctx.log.info(`${title}: ${result.message}`);
  if (result.ok) void vscode.window.showInformationMessage(`Manito: ${result.message}`);
  else void vscode.window.showWarningMessage(`Manito: ${result.message}`, 'Show Logs').then((c) => c && ctx.log.show());
}

export function noFolder(): undefined {
  void vscode.window.showWarningMessage('Manito works on a folder: open the folder of your stack first.', 'Open Folder')
    .then((c) => c && vscode.commands.executeCommand('vscode.openFolder'));
  return undefined;
}

async function createConfig(ctx: CommandContext): Promise<void> {
  if (!ctx.workspace) return void noFolder();
  const uri = vscode.Uri.file(path.join(ctx.workspace, CONFIG_FILE_NAME));
  try {
    await vscode.workspace.fs.stat(uri);
    await vscode.window.showTextDocument(uri);
    void vscode.window.showInformationMessage(`${CONFIG_FILE_NAME} already exists; opened it.`);
    return;
  } catch {
    // Absent: write it.
  }
  // No `$schema`: the package's jsonValidation contribution already gives every manito.json the
  // shipped schema, and a `$schema` would replace that association with a URL to download.
  await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(DEFAULT_STACK, null, 2) + '\n', 'utf8'));
  ctx.log.info(`created ${uri.fsPath} from the default stack`);
  await vscode.window.showTextDocument(uri);
}
