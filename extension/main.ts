// Entry point: wires the folder hosts (one host per served folder) to the tree, the status bar,
// the dashboard and the command table. Activation is cheap: the hosts start in the background.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../protocol/config';
import { registerCommands, type CommandBase } from './commandDispatch';
import { DashboardPanel, type DashboardDeps, registerDashboard } from './dashboardPanel';
import { DashboardTarget } from './dashboardTarget';
import { type FolderHost, FolderHosts } from './folderHosts';
import type { HostController } from './hostController';
import { registerLaunchPorts } from './launchPorts';
import { Log } from './log';
import { PortCommands } from './portCommands';
import { ServicesTreeProvider } from './servicesTree';
import { PortStatusBar } from './statusBar';

let hosts: FolderHosts | undefined;

/** What the extension hands to its own tests (test/editor/suite) and to other extensions. */
export interface ManitoApi {
  /** The first served folder's host: the only one in a single-folder window. */
  readonly controller: HostController;
  /** Every served folder with its host, in the workspace's folder order. */
  readonly folders: () => FolderHost[];
  readonly portCommands: () => string[];
}

export function activate(context: vscode.ExtensionContext): ManitoApi {
  const started = Date.now();
  const log = new Log();
  context.subscriptions.push(log);
  const folderHosts = new FolderHosts({
    hostModule: context.asAbsolutePath(path.join('dist', 'host.js')),
    log,
    crashLimit: () => vscode.workspace.getConfiguration('manito').get<number>('host.restartLimit', 5),
  });
  hosts = folderHosts;

  const tree = new ServicesTreeProvider(folderHosts);
  const view = vscode.window.createTreeView('manito.services', { treeDataProvider: tree });
  const statusBar = new PortStatusBar(folderHosts);
  const target = new DashboardTarget(folderHosts);
  const dashboard: DashboardDeps = { host: target, terminals: target.terminals, log };
  const base: CommandBase = {
    extension: context,
    hosts: folderHosts,
    log,
    openDashboard: (host) => {
      target.follow(host ?? folderHosts.active);
      DashboardPanel.createOrShow(context.extensionUri, dashboard);
    },
  };
  const portCommands = new PortCommands(base);
  context.subscriptions.push(tree, view, statusBar, target, portCommands, registerDashboard(context, dashboard), registerLaunchPorts(folderHosts), ...registerCommands(base));

  // Snapshots arrive with every health probe: tell VS Code only about context values that changed.
  const contextValues = new Map<string, unknown>();
  const setContext = (key: string, value: unknown): void => {
    if (contextValues.has(key) && contextValues.get(key) === value) return;
    contextValues.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const updateContext = (): void => {
    const all = folderHosts.all;
    // Before a host's first snapshot, the file on disk says whether its folder has a config.
    const noConfig = all.every((h) => (h.controller.snapshot ? h.controller.snapshot.configSource === 'default' : !fs.existsSync(path.join(h.folder.uri.fsPath, CONFIG_FILE_NAME))));
    setContext('manito.noConfig', noConfig);
    setContext('manito.hostState', folderHosts.active?.controller.state ?? 'stopped');
    setContext('manito.multiFolder', all.length > 1);
    const unhealthy = all.reduce((n, h) => n + (h.controller.snapshot?.services.filter((s) => s.error || (s.health === 'unhealthy' && s.runner !== null)).length ?? 0), 0);
    view.badge = unhealthy ? { value: unhealthy, tooltip: `${unhealthy} service(s) unhealthy` } : undefined;
    const failed = all.filter((h) => h.controller.state === 'failed' && h.controller.snapshot);
    view.message = failed.length
      ? failed.map((h) => `${all.length > 1 ? `${h.folder.name}: ` : ''}${h.controller.unavailableReason}`).join(' ') + ' Showing the last known ports.'
      : undefined;
  };
  context.subscriptions.push(folderHosts.onDidChange(updateContext), folderHosts.onDidChangeActive(updateContext));
  folderHosts.sync();
  updateContext();

  if (!folderHosts.size) log.info('no folder is open: a host starts when a folder is opened');
  log.info(`activated in ${Date.now() - started} ms, serving ${folderHosts.all.map((h) => h.folder.uri.fsPath).join(', ') || 'no folder'}${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: no command from manito.json runs)'}`);
  return {
    get controller(): HostController {
      const first = folderHosts.all[0];
      if (!first) throw new Error('Manito serves no folder here: open the folder of your stack first.');
      return first.controller;
    },
    folders: () => folderHosts.all,
    portCommands: () => portCommands.ids,
  };
}

export function deactivate(): Promise<void> | undefined {
  const all = hosts;
  hosts = undefined;
  return all?.dispose();
}
