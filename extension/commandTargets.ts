// Which served folder a command acts on. A tree row or folder node says its folder; an argument
// `{ folder }` names one (URI, path or name: status-bar links and keybindings use it); with one
// folder there is nothing to choose; Start/Stop Stack ask (one folder or all); anything else acts
// on the active editor's folder.
import * as vscode from 'vscode';
import type { FolderHost, FolderHosts } from './folderHosts';

const STACK_COMMANDS = new Set(['manito.startStack', 'manito.stopStack']);

/** The folder an argument names, if it names one; undefined when it names none, null when it names one not served. */
export function namedFolder(hosts: FolderHosts, arg: unknown): FolderHost | null | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as { folderKey?: unknown; folder?: unknown };
  const named = typeof o.folderKey === 'string' ? o.folderKey : typeof o.folder === 'string' ? o.folder : undefined;
  if (named === undefined) return undefined;
  return hosts.find(named) ?? null;
}

/** The hosts to run command `id` on; undefined when the user dismissed the pick or named an unserved folder. */
export async function commandTargets(hosts: FolderHosts, id: string, args: readonly unknown[]): Promise<FolderHost[] | undefined> {
  const named = namedFolder(hosts, args[0]);
  if (named === null) {
    const o = args[0] as { folderKey?: string; folder?: string };
    void vscode.window.showWarningMessage(`Manito does not serve the folder "${o.folderKey ?? o.folder}": it has no manito.json, or is not open.`);
    return undefined;
  }
  if (named) return [named];
  const all = hosts.all;
  if (all.length <= 1) return all;
  if (!STACK_COMMANDS.has(id)) {
    const active = hosts.active;
    return active ? [active] : [];
  }
  const verb = id === 'manito.startStack' ? 'Start' : 'Stop';
  const active = hosts.active;
  const picked = await vscode.window.showQuickPick([
    { label: `$(root-folder-opened) All ${all.length} folders`, description: all.map((h) => h.folder.name).join(', '), hosts: all },
    ...all.map((h) => ({
      label: `$(root-folder) ${h.folder.name}`,
      description: h === active ? 'active editor' : '',
      detail: ports(h),
      hosts: [h],
    })),
  ], { placeHolder: `${verb} the stack of which folder?` });
  return picked?.hosts;
}

function ports(host: FolderHost): string {
  const services = host.controller.snapshot?.services ?? [];
  return services.filter((s) => s.port !== null && s.reason !== 'inherited').map((s) => `${s.name} ${s.port}`).join(' · ') || host.folder.uri.fsPath;
}

/**
 * Where `${command:manito.port.<service>}` looks: the folder an argument names, else the active
 * editor's folder when it has the service, else the first folder that has it. Launch
 * configurations get their own folder's port before this is ever asked (launchPorts.ts).
 */
export function portTarget(hosts: FolderHosts, service: string | undefined, arg: unknown): FolderHost | undefined {
  const named = namedFolder(hosts, arg);
  if (named) return named;
  const has = (h: FolderHost | undefined) => h?.controller.snapshot?.services.some((s) => s.name === service) === true;
  const active = hosts.active;
  return has(active) ? active : hosts.all.find(has) ?? active;
}
