// The integrated terminals the host asks for: one per service, named after it, running the
// service's command in its cwd with its ports in the environment. Closing one tells the host.
import * as vscode from 'vscode';
import type { LaunchTerminalParams, LaunchTerminalResult, TerminalExitedParams } from '../protocol/lsp';
import type { TerminalHost } from './hostController';
import type { Log } from './log';

// The shell's pid is what lets Stop end the whole tree: worth waiting for. It comes in ~100 ms, but
// on a loaded machine the pty can take seconds, and a pid given up on at 5 s was lost for good.
const PID_TIMEOUT_MS = 30_000;

interface ServiceTerminal {
  service: string;
  terminal: vscode.Terminal;
  pid: number | null;
  /** Set when the host asked for the close, so no exit is reported back. */
  killed: boolean;
}

export class ServiceTerminals implements TerminalHost, vscode.Disposable {
  private readonly byService = new Map<string, ServiceTerminal>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: Log,
    private readonly onExit: (params: TerminalExitedParams) => void,
  ) {
    this.disposables.push(vscode.window.onDidCloseTerminal((terminal) => this.closed(terminal)));
  }

  async launch(params: LaunchTerminalParams): Promise<LaunchTerminalResult> {
    if (!vscode.workspace.isTrusted) {
      // The host should never ask in an untrusted workspace; refuse anyway, the editor decides.
      this.log.warn(`refused to run ${params.service}: the workspace is not trusted`);
      return { pid: null };
    }
    const previous = this.byService.get(params.service);
    if (previous) {
      previous.killed = true;
      this.byService.delete(params.service);
      previous.terminal.dispose();
    }
    const terminal = vscode.window.createTerminal({
      name: params.name,
      cwd: params.cwd,
      env: params.env,
      iconPath: new vscode.ThemeIcon('server-process'),
      isTransient: true,
    });
    const entry: ServiceTerminal = { service: params.service, terminal, pid: null, killed: false };
    this.byService.set(params.service, entry);
    terminal.sendText(params.command, true);
    // Reveal without taking focus: the user sees the services come up where they type.
    terminal.show(true);
    entry.pid = (await withTimeout(terminal.processId, PID_TIMEOUT_MS)) ?? null;
    this.log.info(`terminal "${params.name}" runs ${params.service} (shell pid ${entry.pid ?? 'unknown'}): ${params.command}`);
    return { pid: entry.pid };
  }

  async kill(service: string): Promise<void> {
    const entry = this.byService.get(service);
    if (!entry) return;
    entry.killed = true;
    this.byService.delete(service);
    entry.terminal.dispose();
  }

  open(): { service: string; pid: number | null }[] {
    return [...this.byService.values()].map(({ service, pid }) => ({ service, pid }));
  }

  /** Shows the service's terminal; false when it has none. */
  show(service: string): boolean {
    const entry = this.byService.get(service);
    entry?.terminal.show(false);
    return entry !== undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    // Services keep running in their terminals when the extension goes; VS Code owns them.
    this.byService.clear();
  }

  private closed(terminal: vscode.Terminal): void {
    for (const entry of this.byService.values()) {
      if (entry.terminal !== terminal) continue;
      this.byService.delete(entry.service);
      if (entry.killed) return;
      const exitCode = terminal.exitStatus?.code;
      this.log.info(`terminal "${terminal.name}" closed${exitCode === undefined ? '' : ` (exit code ${exitCode})`}: ${entry.service} stopped`);
      this.onExit({ service: entry.service, ...(exitCode === undefined ? {} : { exitCode }) });
      return;
    }
  }
}

function withTimeout<T>(value: Thenable<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    value.then(
      (v) => { clearTimeout(timer); resolve(v); },
      () => { clearTimeout(timer); resolve(undefined); },
    );
  });
}
