// Entry point: wires the folder hosts (one host per served folder) to the tree, the status bar,
// the dashboard and the command table. Activation is cheap: the hosts start in the background.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../protocol/config';
import { SettingsChanged } from '../protocol/lsp';
import { registerCommands, type CommandBase } from './commandDispatch';
import { DashboardPanel, type DashboardDeps, registerDashboard } from './dashboardPanel';
import { DashboardTarget } from './dashboardTarget';
import { type FolderHost, FolderHosts } from './folderHosts';
import type { HostController } from './hostController';
import { registerLaunchPorts } from './launchPorts';
import { Log } from './log';
import { PortCommands } from './portCommands';
import { ServicesTreeProvider } from './servicesTree';
import { watchHostSettings } from './portDiagnosticsClient';
import { type ManitoApi, PublicApi } from './publicApi';
import { registerSaveConfigCommand } from './saveConfigCommand';
import { currentSettings, watchSettings } from './settings';
import { PortStatusBar } from './statusBar';
import { registerTaskProvider } from './taskProvider';
import { WalkthroughProgress } from './walkthrough';

let hosts: FolderHosts | undefined;

/** The internals the extension's own editor suites drive (test/editor/suite); other extensions never see them. */
export interface ManitoTesting {
  /** The first served folder's host: the only one in a single-folder window. */
  readonly controller: HostController;
  /** Every served folder with its host, in the workspace's folder order. */
  readonly folders: () => FolderHost[];
  readonly portCommands: () => string[];
}

/**
 * What activate returns: the public API (publicApi.ts), plus, only when VS Code runs the extension
 * under test, the internals its own editor suites drive.
 */
export type ActivationResult = ManitoApi & { readonly testing?: ManitoTesting };

export function activate(context: vscode.ExtensionContext): ActivationResult {
  const started = Date.now();
  const log = new Log();
  context.subscriptions.push(log);
  const folderHosts = new FolderHosts({
    hostModule: context.asAbsolutePath(path.join('dist', 'host.js')),
    log,
    crashLimit: () => currentSettings().restartLimit,
  });
  hosts = folderHosts;

  const tree = new ServicesTreeProvider(folderHosts);
  const view = vscode.window.createTreeView('manito.services', { treeDataProvider: tree });
  const statusBar = new PortStatusBar(folderHosts);
  const target = new DashboardTarget(folderHosts);
  const dashboard: DashboardDeps = { host: target, terminals: target.terminals, log };
  const walkthrough = new WalkthroughProgress(folderHosts);
  const base: CommandBase = {
    extension: context,
    hosts: folderHosts,
    log,
    openDashboard: (host) => {
      target.follow(host ?? folderHosts.active);
      void DashboardPanel.createOrShow(context.extensionUri, dashboard);
      walkthrough.dashboardOpened();
    },
    onPortUsed: () => walkthrough.portUsed(),
  };
  const portCommands = new PortCommands(base);
  context.subscriptions.push(tree, view, statusBar, target, walkthrough, portCommands, registerDashboard(context, dashboard), registerLaunchPorts(folderHosts, () => walkthrough.portUsed()), ...registerCommands(base));
  context.subscriptions.push(registerTaskProvider(folderHosts), watchSettings(folderHosts.settingsTarget(), log),
    registerSaveConfigCommand(() => folderHosts.active?.controller, log),
    watchHostSettings((settings) => { for (const h of folderHosts.all) void h.controller.notify(SettingsChanged.type, settings); }));

  // Other extensions see every served folder's ports (publicApi.ts), as folders come and go.
  const publicApi = new PublicApi();
  const tracked = new Map<string, vscode.Disposable>();
  const trackFolders = (): void => {
    const keys = new Set(folderHosts.all.map((h) => h.key));
    for (const [key, d] of tracked) if (!keys.has(key)) { d.dispose(); tracked.delete(key); }
    for (const h of folderHosts.all) if (!tracked.has(h.key)) tracked.set(h.key, publicApi.track(h.folder.uri, h.controller));
  };
  context.subscriptions.push(publicApi, folderHosts.onDidChangeHosts(trackFolders), { dispose: () => { for (const d of tracked.values()) d.dispose(); } });

  // Snapshots arrive with every health probe: tell VS Code only about context values that changed.
  const contextValues = new Map<string, unknown>();
  const setContext = (key: string, value: unknown): void => {
    if (contextValues.has(key) && contextValues.get(key) === value) return;
    contextValues.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  let shownMessage: string | undefined;
  const updateContext = (): void => {
    const all = folderHosts.all;
    // Before a host's first snapshot, the file on disk says whether its folder has a config.
    const noConfig = all.every((h) => (h.controller.snapshot ? h.controller.snapshot.configSource === 'default' : !fs.existsSync(path.join(h.folder.uri.fsPath, CONFIG_FILE_NAME))));
    setContext('manito.noConfig', noConfig);
    setContext('manito.configSource', folderHosts.active?.controller.snapshot?.configSource ?? (noConfig ? 'default' : 'file'));
    setContext('manito.hostState', folderHosts.active?.controller.state ?? 'stopped');
    setContext('manito.multiFolder', all.length > 1);
    const unhealthy = all.reduce((n, h) => n + (h.controller.snapshot?.services.filter((s) => s.error || (s.health === 'unhealthy' && s.runner !== null)).length ?? 0), 0);
    view.badge = unhealthy ? { value: unhealthy, tooltip: vscode.l10n.t('{0} service(s) unhealthy', unhealthy) } : undefined;
    const failed = all.filter((h) => h.controller.state === 'failed' && h.controller.snapshot);
    const message = failed.length
      ? vscode.l10n.t('{0} Showing the last known ports.', failed.map((h) => `${all.length > 1 ? `${h.folder.name}: ` : ''}${h.controller.unavailableReason}`).join(' '))
      : undefined;
    // Only on a change: setting a tree view's message, even to the same value, goes through the same
    // 200 ms debounce as the view's refreshes and restarts it. Set on every health sample (several a
    // second while a stack starts), it held the Services tree's refreshes back for as long as samples
    // kept coming: the tree said "stopped" while the status bar said "3 healthy".
    if (message !== shownMessage) {
      shownMessage = message;
      view.message = message;
    }
  };
  context.subscriptions.push(folderHosts.onDidChange(updateContext), folderHosts.onDidChangeActive(updateContext));
  folderHosts.sync();
  trackFolders();
  updateContext();

  if (!folderHosts.size) log.info('no folder is open: a host starts when a folder is opened');
  log.info(`activated in ${Date.now() - started} ms, serving ${folderHosts.all.map((h) => h.folder.uri.fsPath).join(', ') || 'no folder'}${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: no command from manito.json runs)'}`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return publicApi.api;
  const testing: ManitoTesting = {
    get controller(): HostController {
      const first = folderHosts.all[0];
      if (!first) throw new Error('Manito serves no folder here: open the folder of your stack first.');
      return first.controller;
    },
    folders: () => folderHosts.all,
    portCommands: () => portCommands.ids,
  };
  return { ...publicApi.api, testing };
}

export function deactivate(): Promise<void> | undefined {
  const all = hosts;
  hosts = undefined;
  return all?.dispose();
}
