// One service's terminal: a vscode Pseudoterminal the host feeds with the service's own output
// (the host spawned the process, so the terminal's process IS the service). Typing goes to the
// service's stdin; Ctrl-C, or closing the terminal, stops the service. When the process exits the
// terminal says so with its exit code, and a task's terminal closes with that code.
import * as vscode from 'vscode';

export interface ServiceTerminalIo {
  input(data: string): void;
  /** Ctrl-C or the terminal closed while the service runs. */
  stop(): void;
}

/** Pipes give bare \n; a terminal needs \r\n to return to column 0. */
export function toTerminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export function exitLine(service: string, exitCode: number | null, signal: string | null): string {
  const how = exitCode !== null ? `exited with code ${exitCode}` : `was ended by ${signal ?? 'a signal'}`;
  return `\r\n\x1b[2m[manito] ${service} ${how}\x1b[0m\r\n`;
}

export class ServicePty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** Output that came before VS Code opened the terminal: written on open(). */
  private pending: string[] = [];
  private opened = false;
  private running = false;
  private closed = false;

  /** `closeOnExit`: a task's terminal ends with the service's exit code; Start Stack's stays, to be read. */
  constructor(private readonly service: string, private readonly io: ServiceTerminalIo, private readonly closeOnExit = false) {}

  get isRunning(): boolean { return this.running; }

  open(): void {
    this.opened = true;
    for (const text of this.pending.splice(0)) this.writeEmitter.fire(text);
  }

  close(): void {
    // The user closed the terminal: as with any terminal, its process goes with it.
    this.closed = true;
    if (this.running) this.io.stop();
  }

  handleInput(data: string): void {
    if (data === '\x03') {
      this.write('^C\r\n');
      if (this.running) this.io.stop();
      return;
    }
    if (this.running) this.io.input(data.replace(/\r/g, '\n'));
  }

  started(command: string, pid: number): void {
    this.running = true;
    this.write(`\x1b[2m[manito] ${command} (pid ${pid})\x1b[0m\r\n`);
  }

  output(text: string): void {
    this.write(toTerminalText(text));
  }

  ended(exitCode: number | null, signal: string | null): void {
    this.running = false;
    this.write(exitLine(this.service, exitCode, signal));
    if (this.closeOnExit) this.finish(exitCode ?? 1);
  }

  /** The host that ran it is gone, and its reaper ended the service with it. */
  hostGone(): void {
    this.running = false;
    this.message(`${this.service} ended with the Manito host that ran it`);
    if (this.closeOnExit) this.finish(1);
  }

  /** Ends the terminal (a task's), with the code VS Code shows as its exit status. */
  finish(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.closeEmitter.fire(code);
  }

  message(text: string): void {
    this.write(`\x1b[2m[manito] ${text}\x1b[0m\r\n`);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  private write(text: string): void {
    if (this.closed && !this.opened) return;
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending.push(text);
  }
}
