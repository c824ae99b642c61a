// Terminal output for the CLI: colour only on a TTY without NO_COLOR, and the usage error that
// every command reports the same way (exit 2).
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

export function useColour(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export function style(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), cyan: wrap(36, 39) };
}

/** Pads columns of plain cells; colour is applied after padding so escapes do not skew widths. */
export function table(rows: string[][], paint?: (row: number, col: number, cell: string) => string): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row, r) => row.map((cell, c) => {
    const padded = c === row.length - 1 ? cell : cell.padEnd(widths[c]!);
    return paint ? paint(r, c, padded) : padded;
  }).join('  ').trimEnd());
}
