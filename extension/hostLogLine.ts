// Stamps the host's log lines the way the extension's own lines are stamped
// ("[2026-12-02 15:03:09] [host] ..."), so the Manito channel reads as one log: the host's output
// arrives raw (its stderr, in chunks) or with the language client's "[Info  - 3:03:09 PM]" stamp,
// which is replaced. No vscode import: unit-tested.
import { formatLogTime } from '../protocol/timeFormat';

const CLIENT_STAMP = /^\[(Trace|Debug|Info|Warn|Error|LSP)\s*- [^\]]*\] /;

export function hostLogLine(line: string, now: Date): string {
  if (line.trim() === '') return line;
  const m = CLIENT_STAMP.exec(line);
  const level = !m || m[1] === 'Info' ? '' : `${m[1]!.toUpperCase()} `;
  return `[${formatLogTime(now)}] [host] ${level}${m ? line.slice(m[0].length) : line}`;
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
