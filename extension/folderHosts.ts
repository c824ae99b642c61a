// One host per served folder of the workspace (like the lsp-multi-server sample: a map from folder
// URI to its own language client), kept in step with the workspace: folders added or removed at
// run time, a manito.json created or deleted. The tree, status bar and commands read the hosts
// through this class; each host serves one folder exactly as the CLI's `manito host <dir>` does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../protocol/config';
import { foldersToServe, reconcile } from './folderSelection';
import { StopService } from '../protocol/lsp';
import { HostController } from './hostController';
import type { SettingsTarget } from './settings';
import type { TerminalHost } from './terminalHost';
import type { Log } from './log';
import { ServiceTerminals } from './terminals';

/** A served folder: its host and the terminals that host opened. */
export interface FolderHost {
  readonly key: string;
  readonly folder: vscode.WorkspaceFolder;
  readonly controller: HostController;
  readonly terminals: ServiceTerminals;
}

export interface FolderHostsOptions {
  hostModule: string;
  log: Log;
  crashLimit: () => number;
}

export class FolderHosts implements vscode.Disposable {
  private readonly hosts = new Map<string, FolderHost>();
  private readonly hostDisposables = new Map<string, vscode.Disposable[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<FolderHost | undefined>();
  private readonly hostsEmitter = new vscode.EventEmitter<void>();
  private readonly activeEmitter = new vscode.EventEmitter<FolderHost | undefined>();
  /** Any host's state, snapshot or status changed (with that host), or the set of hosts (undefined). */
  readonly onDidChange = this.changeEmitter.event;
  /** Hosts were added or removed. */
  readonly onDidChangeHosts = this.hostsEmitter.event;
  /** The active editor moved to another served folder. */
  readonly onDidChangeActive = this.activeEmitter.event;
  private lastActive: FolderHost | undefined;
  /** The folder of the last text editor: focusing the dashboard, a terminal or the tree keeps it. */
  private editorFolder: string | undefined;

  constructor(private readonly options: FolderHostsOptions) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE_NAME}`, false, true, false);
    const onConfig = (uri: vscode.Uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (folder && path.dirname(uri.fsPath) === folder.uri.fsPath) this.sync();
    };
    this.disposables.push(
      this.changeEmitter, this.hostsEmitter, this.activeEmitter, watcher,
      watcher.onDidCreate(onConfig), watcher.onDidDelete(onConfig),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.sync()),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.editorFolder = vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri.toString();
        this.checkActive();
      }),
    );
  }

  /** Served folders in the workspace's folder order. */
  get all(): FolderHost[] {
    return [...this.hosts.values()].sort((a, b) => a.folder.index - b.folder.index);
  }

  get size(): number {
    return this.hosts.size;
  }

  /** The host of the last active text editor's folder, else the first served folder's. */
  get active(): FolderHost | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() : this.editorFolder;
    return (folder !== undefined ? this.hosts.get(folder) : undefined) ?? this.all[0];
  }

  /** By folder URI, fsPath or folder name. */
  find(folder: string | vscode.Uri | vscode.WorkspaceFolder): FolderHost | undefined {
    if (typeof folder !== 'string') return this.hosts.get(('uri' in folder ? folder.uri : folder).toString());
    return this.hosts.get(folder) ?? this.all.find((h) => h.folder.uri.fsPath === path.resolve(folder) || h.folder.name === folder);
  }

  /** Starts a host for every folder that should have one and stops those that should not. */
  sync(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const byKey = new Map(folders.map((f) => [f.uri.toString(), f]));
    const wanted = foldersToServe(folders.map((f) => ({
      key: f.uri.toString(),
      local: f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote',
      hasConfig: fs.existsSync(path.join(f.uri.fsPath, CONFIG_FILE_NAME)),
    })));
    const { add, remove } = reconcile([...this.hosts.keys()], wanted);
    if (!add.length && !remove.length) return;
    for (const key of remove) void this.remove(key);
    for (const key of add) this.add(byKey.get(key)!);
    this.hostsEmitter.fire();
    this.changeEmitter.fire(undefined);
    this.checkActive();
  }

  /** What a settings change applies to (settings.ts): every folder's host. */
  settingsTarget(): SettingsTarget {
    const all = () => this.all.map((h) => h.controller);
    return {
      get state() { return all().some((c) => c.state !== 'stopped') ? 'running' : 'stopped'; },
      get isRunning() { return all().some((c) => c.isRunning); },
      setCrashLimit: (limit) => { for (const c of all()) c.setCrashLimit(limit); },
      restart: async () => { await Promise.all(all().filter((c) => c.state !== 'stopped').map((c) => c.restart())); },
    };
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables.splice(0)) d.dispose();
    await Promise.all([...this.hosts.keys()].map((key) => this.remove(key)));
  }

  private add(folder: vscode.WorkspaceFolder): void {
    const { log } = this.options;
    const key = folder.uri.toString();
    let controller: HostController | undefined;
    const terminals = new ServiceTerminals(log, (service) => ({
      input: (data) => void controller?.sendInput({ service, data }),
      stop: () => void controller?.request(StopService.type, { service }).catch((error: unknown) => log.warn(`could not stop ${service}: ${(error as Error).message}`)),
    }));
    // Two folders may both have a "server": their terminals say whose it is.
    const withFolder = <T extends { name: string }>(params: T): T => (this.hosts.size > 1 ? { ...params, name: `${params.name} (${folder.name})` } : params);
    const named: TerminalHost = {
      serviceTerminal: (params) => terminals.serviceTerminal(withFolder(params)),
      serviceStarted: (service, pid) => terminals.serviceStarted(service, pid),
      serviceOutput: (params) => terminals.serviceOutput(params),
      serviceEnded: (params) => terminals.serviceEnded(params),
    };
    controller = new HostController({ workspace: folder.uri.fsPath, hostModule: this.options.hostModule, terminals: named, log, restartLimit: this.options.crashLimit() });
    const host: FolderHost = { key, folder, controller, terminals };
    this.hosts.set(key, host);
    const fire = () => this.changeEmitter.fire(host);
    this.hostDisposables.set(key, [
      controller.onDidChangeState(fire), controller.onDidChangeSnapshot(fire), controller.onDidChangeStatus(fire),
      // A host that went away took its services' output streams with it.
      controller.onDidChangeState((state) => { if (state === 'starting' || state === 'failed') terminals.hostLost(); }),
    ]);
    const started = Date.now();
    void controller.start().then(() => log.info(`host started for ${folder.uri.fsPath} (${Date.now() - started} ms)`));
  }

  private async remove(key: string): Promise<void> {
    const host = this.hosts.get(key);
    if (!host) return;
    this.hosts.delete(key);
    for (const d of this.hostDisposables.get(key) ?? []) d.dispose();
    this.hostDisposables.delete(key);
    this.options.log.info(`stopping the host of ${host.folder.uri.fsPath}: the folder is no longer served`);
    await host.controller.dispose();
    host.terminals.dispose();
  }

  private checkActive(): void {
    const active = this.active;
    if (active === this.lastActive) return;
    this.lastActive = active;
    this.activeEmitter.fire(active);
  }
}
