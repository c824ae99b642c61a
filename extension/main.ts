// Entry point: wires the host controller to the tree, the status bar, the terminals and the
// command table. Activation is cheap: the host starts in the background.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../protocol/config';
import { type CommandContext, PortCommands, registerCommands } from './commands';
import { DashboardPanel, type DashboardDeps, registerDashboard } from './dashboardPanel';
import { HostController } from './hostController';
import { Log } from './log';
import { ServicesTreeProvider } from './servicesTree';
import { PortStatusBar } from './statusBar';
import { ServiceTerminals } from './terminals';

let controller: HostController | undefined;

/** What the extension hands to its own tests (test/editor/suite) and to other extensions. */
export interface ManitoApi {
  readonly controller: HostController;
  readonly portCommands: () => string[];
}

export function activate(context: vscode.ExtensionContext): ManitoApi {
  const started = Date.now();
  const log = new Log();
  context.subscriptions.push(log);
  const workspace = pickWorkspace();

  const terminals = new ServiceTerminals(log, (params) => void controller?.notifyTerminalExited(params));
  const host = new HostController({
    workspace: workspace ?? process.cwd(),
    hostModule: context.asAbsolutePath(path.join('dist', 'host.js')),
    terminals,
    log,
    restartLimit: vscode.workspace.getConfiguration('manito').get<number>('host.restartLimit', 5),
  });
  controller = host;

  const tree = new ServicesTreeProvider(host);
  const view = vscode.window.createTreeView('manito.services', { treeDataProvider: tree });
  const statusBar = new PortStatusBar(host);
  const dashboard: DashboardDeps = { host, terminals, log };
  const ctx: CommandContext = {
    extension: context,
    controller: host,
    terminals,
    log,
    workspace,
    openDashboard: () => void DashboardPanel.createOrShow(context.extensionUri, dashboard),
  };
  const portCommands = new PortCommands(ctx);
  context.subscriptions.push(terminals, tree, view, statusBar, portCommands, registerDashboard(context, dashboard), ...registerCommands(ctx));

  const updateContext = (): void => {
    const snapshot = host.snapshot;
    const noConfig = snapshot ? snapshot.configSource === 'default' : !hasConfigFile(workspace);
    void vscode.commands.executeCommand('setContext', 'manito.noConfig', noConfig);
    void vscode.commands.executeCommand('setContext', 'manito.hostState', host.state);
    const unhealthy = snapshot?.services.filter((s) => s.error || (s.health === 'unhealthy' && s.runner !== null)).length ?? 0;
    view.badge = unhealthy ? { value: unhealthy, tooltip: `${unhealthy} service(s) unhealthy` } : undefined;
    view.message = host.state === 'failed' && snapshot ? `${host.unavailableReason} Showing the last known ports.` : undefined;
  };
  // One file watcher: the host's. A manito.json created or deleted reaches us as a new snapshot.
  context.subscriptions.push(host.onDidChangeSnapshot(updateContext), host.onDidChangeState(updateContext));
  updateContext();

  if (workspace) {
    void host.start().then(() => log.info(`host started for ${workspace} (${Date.now() - started} ms after activation began)`));
  } else {
    log.info('no folder is open: the host starts when a folder with manito.json is opened');
  }
  log.info(`activated in ${Date.now() - started} ms${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: no command from manito.json runs)'}`);
  return { controller: host, portCommands: () => portCommands.ids };
}

export function deactivate(): Promise<void> | undefined {
  const host = controller;
  controller = undefined;
  return host?.dispose();
}

/** The first folder with a manito.json, else the first local folder. */
function pickWorkspace(): string | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const local = folders.filter((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote');
  return (local.find((f) => hasConfigFile(f.uri.fsPath)) ?? local[0])?.uri.fsPath;
}

function hasConfigFile(folder: string | undefined): boolean {
  return folder !== undefined && fs.existsSync(path.join(folder, CONFIG_FILE_NAME));
}
