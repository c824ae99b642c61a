// The one "Manito" output channel, a LogOutputChannel: VS Code adds the timestamp and level and
// lets the user pick the level. The extension's own lines and the host's (through the language
// client, via `hostChannel`) land here with the same stamp; error() also brings the channel forward.
import * as vscode from 'vscode';
import { hostLogLine, LineBuffer } from './hostLogLine';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** The same channel for the language client: its host lines are logged at their level, "[host]" first. */
  readonly hostChannel: vscode.OutputChannel;

  constructor(name = 'Manito') {
    const channel = vscode.window.createOutputChannel(name, { log: true });
    this.channel = channel;
    const lines = new LineBuffer();
    const write = (raw: string) => {
      const line = hostLogLine(raw);
      if (line) channel[line.level](line.text);
    };
    this.hostChannel = {
      name: channel.name,
      // The host's stderr arrives here in chunks: logged line by line.
      append: (value) => { for (const line of lines.push(value)) write(line); },
      appendLine: write,
      replace: (value) => channel.replace(value),
      clear: () => channel.clear(),
      show: (...args: unknown[]) => channel.show(...(args as [boolean?])),
      hide: () => channel.hide(),
      // The client disposes its channel when it stops; the real one lives as long as the extension.
      dispose: () => undefined,
    };
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string, error?: unknown): void {
    this.channel.error(error === undefined ? message : `${message}: ${error instanceof Error ? error.message : String(error)}`);
    this.channel.show(true);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
