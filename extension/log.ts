// The one "Manito" output channel. The extension's own lines and the host's (through the language
// client, which writes to the same channel) land here; error() also brings the channel forward.
import * as vscode from 'vscode';
import { formatLogTime } from '../protocol/timeFormat';
import { hostLogLine, LineBuffer } from './hostLogLine';

export class Log implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  /** The same channel for the language client: its host lines get the extension's time stamp. */
  readonly hostChannel: vscode.OutputChannel;

  constructor(name = 'Manito') {
    this.channel = vscode.window.createOutputChannel(name);
    const channel = this.channel;
    const lines = new LineBuffer();
    this.hostChannel = {
      name: channel.name,
      // The host's stderr arrives here in chunks: stamped line by line.
      append: (value) => {
        for (const line of lines.push(value)) channel.appendLine(hostLogLine(line, new Date()));
      },
      appendLine: (value) => channel.appendLine(hostLogLine(value, new Date())),
      replace: (value) => channel.replace(value),
      clear: () => channel.clear(),
      show: (...args: unknown[]) => channel.show(...(args as [boolean?])),
      hide: () => channel.hide(),
      // The client disposes its channel when it stops; the real one lives as long as the extension.
      dispose: () => undefined,
    };
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
