// The one "Manito" output channel. The extension's own lines and the host's (through the language
// client, which writes to the same channel) land here; error() also brings the channel forward.
import * as vscode from 'vscode';
import { formatLogTime } from '../protocol/timeFormat';

export class Log implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;

  constructor(name = 'Manito') {
    this.channel = vscode.window.createOutputChannel(name);
  }

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string, error?: unknown): void {
    const detail = error === undefined ? '' : `: ${error instanceof Error ? error.message : String(error)}`;
    this.write('error', message + detail);
    this.channel.show(true);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private write(level: 'info' | 'warn' | 'error', message: string): void {
    this.channel.appendLine(`[${formatLogTime(new Date())}] [extension] ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}`);
  }
}
