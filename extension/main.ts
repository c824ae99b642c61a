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
import { currentSettings, watchSettings } from './settings';
import { type ManitoApi, PublicApi } from './publicApi';
import { PortStatusBar } from './statusBar';
import { ServiceTerminals } from './terminals';
import { WalkthroughProgress } from './walkthrough';

let controller: HostController | undefined;

/**
 * What activate returns: the public API (publicApi.ts), plus, only when VS Code runs the extension
 * under test, the internals its own editor suites drive. Other extensions never see `testing`.
 */
export type ActivationResult = ManitoApi & { readonly testing?: { readonly controller: HostController; readonly portCommands: () => string[] } };

export function activate(context: vscode.ExtensionContext): ActivationResult {
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
    crashLimit: currentSettings().restartLimit,
  });
  controller = host;

  const tree = new ServicesTreeProvider(host);
  const view = vscode.window.createTreeView('manito.services', { treeDataProvider: tree });
  const statusBar = new PortStatusBar(host);
  const dashboard: DashboardDeps = { host, terminals, log };
  const walkthrough = new WalkthroughProgress(host);
  context.subscriptions.push(walkthrough);
  const ctx: CommandContext = {
    extension: context,
    controller: host,
    terminals,
    log,
    workspace,
    openDashboard: () => {
      void DashboardPanel.createOrShow(context.extensionUri, dashboard);
      walkthrough.dashboardOpened();
    },
    onPortUsed: () => walkthrough.portUsed(),
  };
  const portCommands = new PortCommands(ctx);
  context.subscriptions.push(terminals, tree, view, statusBar, portCommands, registerDashboard(context, dashboard), ...registerCommands(ctx));
  context.subscriptions.push(watchSettings(host, log));

  const updateContext = (): void => {
    const snapshot = host.snapshot;
    const noConfig = snapshot ? snapshot.configSource === 'default' : !hasConfigFile(workspace);
    void vscode.commands.executeCommand('setContext', 'manito.noConfig', noConfig);
    void vscode.commands.executeCommand('setContext', 'manito.hostState', host.state);
    const unhealthy = snapshot?.services.filter((s) => s.error || (s.health === 'unhealthy' && s.runner !== null)).length ?? 0;
    view.badge = unhealthy ? { value: unhealthy, tooltip: vscode.l10n.t('{0} service(s) unhealthy', unhealthy) } : undefined;
    view.message = host.state === 'failed' && snapshot ? vscode.l10n.t('{0} Showing the last known ports.', host.unavailableReason) : undefined;
  };
  context.subscriptions.push(host.onDidChangeSnapshot(updateContext), host.onDidChangeState(updateContext));
  if (workspace) {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(workspace, CONFIG_FILE_NAME));
    context.subscriptions.push(watcher, watcher.onDidCreate(updateContext), watcher.onDidDelete(updateContext));
  }
  updateContext();

  if (workspace) {
    void host.start().then(() => log.info(`host started for ${workspace} (${Date.now() - started} ms after activation began)`));
  } else {
    log.info('no folder is open: the host starts when a folder with manito.json is opened');
  }
  log.info(`activated in ${Date.now() - started} ms${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: no command from manito.json runs)'}`);
  const publicApi = new PublicApi();
  context.subscriptions.push(publicApi);
  if (workspace) context.subscriptions.push(publicApi.track(vscode.Uri.file(workspace), host));
  return context.extensionMode === vscode.ExtensionMode.Test
    ? { ...publicApi.api, testing: { controller: host, portCommands: () => portCommands.ids } }
    : publicApi.api;
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
