// Every Manito command, as one table, run for one folder's host (commandDispatch.ts picks the
// folder). Each entry says whether it needs the host; when the host is down such commands still
// answer (commandDispatch.ts), saying why and offering Restart Host and Show Logs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, DEFAULT_STACK } from '../protocol/config';
import { stopWithConfirmation } from './stopConfirm';
import { MoveBackService, RestartService, type ActionResult, StartService, StartStack, StopService, StopStack } from '../protocol/lsp';
import { primaryUrl, type ServiceView } from '../protocol/model';
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
  /** Told when a `${command:manito.port...}` lookup succeeded (the walkthrough's launch.json step). */
  onPortUsed?(service: string): void;
}

export interface CommandSpec {
  /** Localised when asked, so messages follow the display language. */
  title: () => string;
  /** Needs a running host; answered with a message otherwise. */
  needsHost: boolean;
  run(ctx: CommandContext, ...args: unknown[]): unknown;
}

/** How long a command waits for a host that is still starting before it answers. */
const HOST_WAIT_MS = 15_000;

export const COMMANDS: Record<string, CommandSpec> = {
  'manito.startStack': {
    title: () => vscode.l10n.t('Start Stack'),
    needsHost: true,
    run: async (ctx) => {
      if (!(await requireTrust(vscode.l10n.t('start the stack')))) return;
      await reportAction(ctx, vscode.l10n.t('Starting the stack'), () => ctx.controller.request(StartStack.type));
    },
  },
  'manito.stopStack': {
    title: () => vscode.l10n.t('Stop Stack'),
    needsHost: true,
    run: (ctx) => reportAction(ctx, vscode.l10n.t('Stopping the stack'), () => ctx.controller.request(StopStack.type)),
  },
  'manito.startService': {
    title: () => vscode.l10n.t('Start Service'),
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, vscode.l10n.t('Service to start'), (s) => s.hasCommand && s.runner === null);
      if (!service || !(await requireTrust(vscode.l10n.t('start {0}', service.name)))) return;
      await reportAction(ctx, vscode.l10n.t('Starting {0}', service.name), () => ctx.controller.request(StartService.type, { service: service.name }));
    },
  },
  'manito.stopService': {
    title: () => vscode.l10n.t('Stop Service'),
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, vscode.l10n.t('Service to stop'), (s) => s.runner === 'process' || s.runner === 'detected');
      if (!service) return;
      await reportAction(ctx, vscode.l10n.t('Stopping {0}', service.name), () => stopWithConfirmation(service.name, (params) => ctx.controller.request(StopService.type, params)));
    },
  },
  'manito.restartService': {
    title: () => vscode.l10n.t('Restart Service'),
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, vscode.l10n.t('Service to restart'), (s) => s.hasCommand);
      if (!service || !(await requireTrust(vscode.l10n.t('restart {0}', service.name)))) return;
      await reportAction(ctx, vscode.l10n.t('Restarting {0}', service.name), () => ctx.controller.request(RestartService.type, { service: service.name }));
    },
  },
  'manito.moveBack': {
    title: () => vscode.l10n.t('Move Back to Preferred Port'),
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, vscode.l10n.t('Service to move back'), (s) => s.moveBack !== undefined);
      if (service) await reportAction(ctx, vscode.l10n.t('Moving {0} back', service.name), () => ctx.controller.request(MoveBackService.type, { service: service.name }));
    },
  },
  'manito.openDashboard': {
    title: () => vscode.l10n.t('Open Dashboard'),
    needsHost: false,
    run: (ctx) => ctx.openDashboard(),
  },
  'manito.showLogs': {
    title: () => vscode.l10n.t('Show Logs'),
    needsHost: false,
    run: (ctx) => ctx.log.show(),
  },
  'manito.copyUrl': {
    title: () => vscode.l10n.t('Copy URL'),
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, vscode.l10n.t('Service whose URL to copy'), (s) => primaryUrl(s) !== null);
      const url = service && primaryUrl(service);
      if (!url) return;
      await vscode.env.clipboard.writeText(url);
      quietSuccess(vscode.l10n.t('Copied {0}', url));
    },
  },
  'manito.openInBrowser': {
    title: () => vscode.l10n.t('Open in Browser'),
    needsHost: true,
    run: async (ctx, arg) => {
      const service = await pickService(ctx, arg, vscode.l10n.t('Service to open'), (s) => primaryUrl(s)?.startsWith('http') === true);
      const url = service && primaryUrl(service);
      if (!service || !url) return;
      if (!url.startsWith('http')) {
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} speaks {1}, not HTTP: {2} cannot be opened in a browser. Use Copy URL.', service.name, service.kind, url));
        return;
      }
      // The named URL first (it survives port moves); asExternalUri forwards the port when the
      // editor runs remotely (code-server, SSH).
      const uri = await vscode.env.asExternalUri(vscode.Uri.parse(url));
      await vscode.env.openExternal(uri);
    },
  },
  'manito.restartHost': {
    title: () => vscode.l10n.t('Restart Host'),
    needsHost: false,
    run: async (ctx) => {
      if (!ctx.workspace) return noFolder();
      await ctx.controller.restart();
      if (ctx.controller.isRunning) quietSuccess(vscode.l10n.t('Manito host restarted'));
    },
  },
  'manito.createConfig': {
    title: () => vscode.l10n.t('Create Config'),
    needsHost: false,
    run: (ctx) => createConfig(ctx),
  },
  'manito.port': {
    title: () => vscode.l10n.t('Port of Service'),
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
  if (!name) throw new Error(vscode.l10n.t('manito.port needs a service name, e.g. {0}', '{ "command": "manito.port", "args": "server" }'));
  const snapshot = ctx.controller.snapshot ?? await ctx.controller.waitForSnapshot(HOST_WAIT_MS);
  if (!snapshot) throw new Error(vscode.l10n.t('Manito does not know the ports yet. {0}', ctx.controller.unavailableReason));
  const service = snapshot.services.find((s) => s.name === name);
  if (!service) throw new Error(vscode.l10n.t('Manito has no service "{0}"; the stack has {1}', name, snapshot.services.map((s) => s.name).join(', ')));
  if (service.port === null) throw new Error(vscode.l10n.t('{0} has no port: {1}', name, service.error ?? service.explanation));
  ctx.onPortUsed?.(name);
  return String(service.port);
}

export function serviceName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof ServiceItem) return arg.service.name;
  const o = (arg && typeof arg === 'object' ? arg : {}) as { service?: unknown; name?: unknown };
  if (typeof o.service === 'string') return o.service;
  if (typeof o.name === 'string') return o.name;
  return undefined;
}

/** The service named by the argument (tree item, name, `{ service }`), or one the user picks. */
async function pickService(ctx: CommandContext, arg: unknown, placeHolder: string, fits: (s: ServiceView) => boolean): Promise<ServiceView | undefined> {
  const snapshot = ctx.controller.snapshot;
  if (!snapshot) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Manito does not know the stack yet; try again in a moment.'));
    return undefined;
  }
  const name = serviceName(arg);
  if (name !== undefined) {
    const service = snapshot.services.find((s) => s.name === name);
    if (!service) void vscode.window.showWarningMessage(vscode.l10n.t('Manito has no service "{0}".', name));
    return service;
  }
  const candidates = snapshot.services.filter(fits);
  if (candidates.length === 0) {
    quietSuccess(vscode.l10n.t('Manito: no service fits ({0})', placeHolder), '$(info)');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((s) => ({ label: s.name, description: s.port === null ? vscode.l10n.t('no port') : String(s.port), detail: s.explanation || s.description, service: s })),
    { placeHolder },
  );
  return picked?.service;
}

async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Manito cannot {0}: this workspace is not trusted, so no command from manito.json runs. Ports are still allocated and shown. Trust the workspace to run its services.', action),
    vscode.l10n.t('Manage Workspace Trust'));
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** How long a success stays in the status bar: long enough to read, gone before it is stale. */
const QUIET_MS = 5000;

/** Success is said quietly, in the status bar; only trouble gets a toast (with what to do). */
function quietSuccess(message: string, icon = '$(check)'): void {
  vscode.window.setStatusBarMessage(`${icon} ${message}`, QUIET_MS);
}

async function reportAction(ctx: CommandContext, title: string, action: () => Promise<ActionResult>): Promise<void> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Manito: {0}', title) }, action);
  ctx.log.info(`${title}: ${result.message}`);
  if (result.ok) {
    quietSuccess(vscode.l10n.t('Manito: {0}', result.message));
    return;
  }
  const logs = vscode.l10n.t('Show Logs');
  void vscode.window.showWarningMessage(vscode.l10n.t('Manito: {0}', result.message), logs).then((c) => c && ctx.log.show());
}

export function noFolder(): undefined {
  const open = vscode.l10n.t('Open Folder');
  void vscode.window.showWarningMessage(vscode.l10n.t('Manito works on a folder: open the folder of your stack first.'), open)
    .then((c) => c && vscode.commands.executeCommand('vscode.openFolder'));
  return undefined;
}

async function createConfig(ctx: CommandContext): Promise<void> {
  if (!ctx.workspace) return void noFolder();
  const uri = vscode.Uri.file(path.join(ctx.workspace, CONFIG_FILE_NAME));
  try {
    await vscode.workspace.fs.stat(uri);
    await vscode.window.showTextDocument(uri);
    quietSuccess(vscode.l10n.t('{0} already exists; opened it.', CONFIG_FILE_NAME), '$(info)');
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
