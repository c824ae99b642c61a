// The host's one log. Lines go to the attached sinks (the client's output channel once an editor
// is connected); while none is attached they go to the fallback (stdout headless, stderr under an
// editor, whose stdout is the JSON-RPC channel). Never both: the language client also copies the
// host's stderr into the same output channel, which would print every line twice.

export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, line: string) => void;

export class HostLog {
  private readonly sinks: LogSink[] = [];

  constructor(private readonly fallback?: LogSink) {}

  addSink(sink: LogSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  info(line: string): void { this.emit('info', line); }
  warn(line: string): void { this.emit('warn', line); }
  error(line: string, error?: unknown): void {
    this.emit('error', error === undefined ? line : `${line}: ${describeError(error)}`);
  }

  private emit(level: LogLevel, line: string): void {
    const sinks = this.sinks.length > 0 ? this.sinks : this.fallback ? [this.fallback] : [];
    for (const sink of sinks) {
      try {
        sink(level, line);
      } catch {
        // A broken sink (closed pipe) must not take the host down with it.
      }
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Writes plain lines to a stream; ignores EPIPE once the reader is gone. */
export function streamSink(stream: NodeJS.WritableStream): LogSink {
  return (_level, line) => {
    stream.write(`${line}\n`);
  };
}
