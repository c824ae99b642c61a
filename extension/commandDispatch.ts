// Registers the command table (commands.ts) and decides, per call, which served folder each
// command runs for (commandTargets.ts): one folder, each of several in turn (Start/Stop Stack on
// all), or none, when the commands that need no host still answer.
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../protocol/config';
import { commandTargets, namedFolder, portTarget } from './commandTargets';
import { COMMANDS, type CommandContext, type CommandSpec, hostReady, noFolder, serviceName } from './commands';
import type { FolderHost, FolderHosts } from './folderHosts';
import type { Log } from './log';

/** What every command shares; a folder's controller, terminals and path are filled in per call (commandTargets.ts). */
export interface CommandBase {
  extension: vscode.ExtensionContext;
  hosts: FolderHosts;
  log: Log;
  openDashboard(host: FolderHost | undefined): Promise<void> | void;
  /** Told when a `${command:manito.port...}` lookup succeeded (the walkthrough's launch.json step). */
  onPortUsed?(service: string): void;
}

export function contextFor(base: CommandBase, host: FolderHost): CommandContext {
  return {
    extension: base.extension, controller: host.controller, terminals: host.terminals, log: base.log,
    workspace: host.folder.uri.fsPath, openDashboard: () => base.openDashboard(host),
    ...(base.onPortUsed ? { onPortUsed: base.onPortUsed } : {}),
  };
}

/** Registers the table; every command is wrapped so failures become messages, never silence. */
export function registerCommands(base: CommandBase): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, spec]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      if (id === 'manito.createConfig') return createConfigIn(base, spec, args);
      const targets = id === 'manito.port' ? [portTarget(base.hosts, serviceName(args[0]), args[0])].filter((h) => h !== undefined) : await commandTargets(base.hosts, id, args);
      if (!targets) return undefined;
      if (targets.length === 0) {
        // No folder is served: the commands that need none still answer.
        if (id === 'manito.showLogs') return base.log.show();
        if (id === 'manito.openDashboard') return base.openDashboard(undefined);
        if (id === 'manito.port') throw new Error(vscode.l10n.t('Manito serves no folder here: open the folder of your stack first.'));
        return noFolder();
      }
      let result: unknown;
      // One folder, or each of them in turn (Start/Stop Stack on all folders).
      for (const host of targets) result = await runFor(id, spec, contextFor(base, host), args);
      return result;
    }));
}

async function runFor(id: string, spec: CommandSpec, ctx: CommandContext, args: unknown[]): Promise<unknown> {
  if (spec.needsHost) {
    if (!ctx.workspace) return noFolder();
    if (!(await hostReady(ctx.controller))) {
      const restart = vscode.l10n.t('Restart Host');
      const logs = vscode.l10n.t('Show Logs');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Manito: {0} needs the host. {1}', spec.title(), ctx.controller.unavailableReason), restart, logs);
      if (choice === restart) await ctx.controller.restart();
      else if (choice === logs) ctx.log.show();
      return undefined;
    }
  }
  try {
    return await spec.run(ctx, ...args);
  } catch (error) {
    ctx.log.error(`${spec.title()} failed`, error);
    // Port lookups feed ${command:...} variables: the caller shows the error itself.
    if (id === 'manito.port') throw error;
    const logs = vscode.l10n.t('Show Logs');
    void vscode.window.showErrorMessage(vscode.l10n.t('Manito: {0} failed: {1}', spec.title(), error instanceof Error ? error.message : String(error)), logs)
      .then((c) => c && ctx.log.show());
    return undefined;
  }
}

/** Create Config writes into a folder that is usually not served yet: with several folders, the user picks it. */
async function createConfigIn(base: CommandBase, spec: CommandSpec, args: unknown[]): Promise<unknown> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const named = namedFolder(base.hosts, args[0]);
  const folder = named ? named.folder
    : folders.length > 1 ? await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Create {0} in which folder?', CONFIG_FILE_NAME) })
    : folders[0];
  if (!folder) return folders.length ? undefined : noFolder();
  const host = base.hosts.find(folder) ?? base.hosts.all[0];
  if (!host) return noFolder();
  return runFor('manito.createConfig', spec, { ...contextFor(base, host), workspace: folder.uri.fsPath }, args);
}

