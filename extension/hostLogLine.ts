// Turns the host's output into lines of the Manito log channel: the host's output arrives raw (its
// stderr, in chunks) or with the language client's "[Info  - 3:03:09 PM]" stamp, which is dropped:
// the LogOutputChannel stamps every line itself, so the channel reads as one log. No vscode import:
// unit-tested.

export type HostLogLevel = 'info' | 'warn' | 'error';

export interface HostLogLine {
  level: HostLogLevel;
  text: string;
}

const CLIENT_STAMP = /^\[(Trace|Debug|Info|Warn|Error|LSP)\s*- [^\]]*\] /;

/** undefined for a blank line. */
export function hostLogLine(line: string): HostLogLine | undefined {
  if (line.trim() === '') return undefined;
  const m = CLIENT_STAMP.exec(line);
  const level: HostLogLevel = m?.[1] === 'Error' ? 'error' : m?.[1] === 'Warn' ? 'warn' : 'info';
  return { level, text: `[host] ${m ? line.slice(m[0].length) : line}` };
}

/** Cuts raw output arriving in chunks into whole lines; a partial line waits for its end. */
export class LineBuffer {
  private pending = '';

  push(chunk: string): string[] {
    const parts = (this.pending + chunk).split(/\r?\n/);
    this.pending = parts.pop() ?? '';
    return parts;
  }
}
