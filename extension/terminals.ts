// The terminals of the stack's services, one per service, named after it: a pseudo-terminal the host
// feeds (the host spawned the service: the terminal's process is the service, and its exit code
// shows; serviceTerminal.ts).
import * as vscode from 'vscode';
import type { ServiceDataParams, ServiceEndedParams, ServiceTerminalParams } from '../protocol/lsp';
import type { TerminalHost } from './terminalHost';
import type { Log } from './log';
import { ServicePty, type ServiceTerminalIo } from './serviceTerminal';

interface PseudoTerminal {
  terminal: vscode.Terminal;
  pty: ServicePty;
  command: string;
}

export class ServiceTerminals implements TerminalHost, vscode.Disposable {
  private readonly pseudo = new Map<string, PseudoTerminal>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly outputEmitter = new vscode.EventEmitter<ServiceDataParams>();
  private readonly endedEmitter = new vscode.EventEmitter<ServiceEndedParams>();
  /** Every service's output and end, for a task's terminal that mirrors it (taskProvider.ts). */
  readonly onOutput = this.outputEmitter.event;
  readonly onEnded = this.endedEmitter.event;

  constructor(
    private readonly log: Log,
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

  /** Shows the service's terminal; false when it has none. */
  show(service: string): boolean {
    const entry = this.pseudo.get(service);
    entry?.terminal.show(false);
    return entry !== undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    // Pseudo-terminals show processes the host owns; the host (and its reaper) ends those.
    for (const entry of this.pseudo.values()) entry.pty.dispose();
    this.pseudo.clear();
  }

  private closed(terminal: vscode.Terminal): void {
    for (const [service, entry] of this.pseudo) if (entry.terminal === terminal) this.pseudo.delete(service);
  }
}
