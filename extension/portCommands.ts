// One `manito.port.<service>` command per service name of every served folder, kept in step with
// the stacks, for `${command:manito.port.server}` in tasks.json and launch.json.
import * as vscode from 'vscode';
import { contextFor, type CommandBase } from './commandDispatch';
import { portTarget } from './commandTargets';
import { servicePort } from './commands';

/**
 * One `manito.port.<service>` command per service, for `${command:manito.port.server}` in
 * tasks.json and launch.json (VS Code passes no name to such commands). Kept in step with the stack.
 */
export class PortCommands implements vscode.Disposable {
  private readonly registered = new Map<string, vscode.Disposable>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly base: CommandBase) {
    this.subscription = base.hosts.onDidChange(() => this.sync());
    this.sync();
  }

  get ids(): string[] {
    return [...this.registered.keys()].map((name) => `manito.port.${name}`);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const d of this.registered.values()) d.dispose();
    this.registered.clear();
  }

  /** Every service name of every served folder; a name two folders share resolves in the active editor's folder. */
  private sync(): void {
    const names = new Set(this.base.hosts.all.flatMap((h) => h.controller.snapshot?.services.map((s) => s.name) ?? []));
    for (const [name, disposable] of this.registered) {
      if (!names.has(name)) {
        disposable.dispose();
        this.registered.delete(name);
      }
    }
    for (const name of names) {
      if (this.registered.has(name)) continue;
      this.registered.set(name, vscode.commands.registerCommand(`manito.port.${name}`, (arg?: unknown) => {
        const host = portTarget(this.base.hosts, name, arg);
        if (!host) throw new Error('Manito serves no folder here: open the folder of your stack first.');
        return servicePort(contextFor(this.base, host), name);
      }));
    }
  }
}

