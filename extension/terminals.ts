// The terminals of the stack's services, one per service, named after it. Normally a pseudo-terminal
// the host feeds (the host spawned the service: the terminal's process is the service, its exit
// code shows; serviceTerminal.ts); for an older host, an integrated shell the command is typed into.
import * as vscode from 'vscode';
import type {
  LaunchTerminalParams, LaunchTerminalResult, ServiceDataParams, ServiceEndedParams, ServiceTerminalParams, TerminalExitedParams,
} from '../protocol/lsp';
import type { TerminalHost } from './terminalHost';
import type { Log } from './log';
import { ServicePty, type ServiceTerminalIo } from './serviceTerminal';

interface PseudoTerminal {
  terminal: vscode.Terminal;
  pty: ServicePty;
  command: string;
}

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
  private readonly pseudo = new Map<string, PseudoTerminal>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly outputEmitter = new vscode.EventEmitter<ServiceDataParams>();
  private readonly endedEmitter = new vscode.EventEmitter<ServiceEndedParams>();
  /** Every service's output and end, for a task's terminal that mirrors it (taskProvider.ts). */
  readonly onOutput = this.outputEmitter.event;
  readonly onEnded = this.endedEmitter.event;

  constructor(
    private readonly log: Log,
    private readonly onExit: (params: TerminalExitedParams) => void,
    /** Typing and Ctrl-C in a pseudo-terminal, sent to the host. */
    private readonly io: (service: string) => ServiceTerminalIo,
  ) {
    this.disposables.push(vscode.window.onDidCloseTerminal((terminal) => this.closed(terminal)), this.outputEmitter, this.endedEmitter);
  }

  /** The host is about to spawn the service: show its pseudo-terminal (a new one, or its last one if still open and idle). */
  serviceTerminal(params: ServiceTerminalParams): void {
    const previous = this.pseudo.get(params.service);
    if (previous && !previous.pty.isRunning && vscode.window.terminals.includes(previous.terminal)) {
      previous.command = params.command;
      previous.terminal.show(true);
      return;
    }
    const pty = new ServicePty(params.service, this.io(params.service));
    const terminal = vscode.window.createTerminal({ name: params.name, pty, iconPath: new vscode.ThemeIcon('server-process'), isTransient: true });
    this.pseudo.set(params.service, { terminal, pty, command: params.command });
    // Reveal without taking focus: the user sees the services come up where they type.
    terminal.show(true);
  }

  serviceStarted(service: string, pid: number): void {
    const entry = this.pseudo.get(service);
    entry?.pty.started(entry.command, pid);
    this.log.info(`terminal "${service}" runs pid ${pid}`);
  }

  serviceOutput(params: ServiceDataParams): void {
    this.pseudo.get(params.service)?.pty.output(params.data);
    this.outputEmitter.fire(params);
  }

  /** The host went away (crashed, killed): its reaper ended every service it ran, so their terminals say so. */
  hostLost(): void {
    for (const [service, entry] of this.pseudo) {
      if (!entry.pty.isRunning) continue;
      entry.pty.hostGone();
      this.log.info(`${service} ended with the host that ran it`);
    }
  }

  serviceEnded(params: ServiceEndedParams): void {
    this.pseudo.get(params.service)?.pty.ended(params.exitCode, params.signal);
    this.endedEmitter.fire(params);
    this.log.info(`${params.service} (pid ${params.pid}) ${params.exitCode !== null ? `exited with code ${params.exitCode}` : `was ended by ${params.signal ?? 'a signal'}`}`);
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
    const entry = this.byService.get(service) ?? this.pseudo.get(service);
    entry?.terminal.show(false);
    return entry !== undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    // Pseudo-terminals show processes the host owns; the host (and its reaper) ends those.
    for (const entry of this.pseudo.values()) entry.pty.dispose();
    this.pseudo.clear();
    // Services keep running in their terminals when the extension goes; VS Code owns them.
    this.byService.clear();
  }

  private closed(terminal: vscode.Terminal): void {
    for (const [service, entry] of this.pseudo) if (entry.terminal === terminal) this.pseudo.delete(service);
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
