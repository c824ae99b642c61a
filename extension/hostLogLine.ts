// Rewrites the stamp the language client puts on the host's log lines ("[Info  - 3:03:09 PM] ...")
// into the one the extension's own lines carry ("[2026-12-02 15:03:09] [host] ..."), so the
// Manito channel reads as one log. No vscode import: unit-tested.
import { formatLogTime } from '../protocol/timeFormat';

const CLIENT_STAMP = /^\[(Trace|Debug|Info|Warn|Error|LSP)\s*- [^\]]*\] /;

export function hostLogLine(line: string, now: Date): string {
  const m = CLIENT_STAMP.exec(line);
  if (!m) return line;
  const level = m[1] === 'Info' ? '' : `${m[1]!.toUpperCase()} `;
  return `[${formatLogTime(now)}] [host] ${level}${line.slice(m[0].length)}`;
}
