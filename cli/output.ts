// Terminal output for the CLI: colour only on a TTY without NO_COLOR, and the usage error that
// every command reports the same way (exit 2).
import { colourEnabled } from '../server/launch/processLauncher';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

/**
 * A usage error's message as the CLI words them all (`unknown command "x"`, `no such folder: x`):
 * lower-case, the option in double quotes, without node:util parseArgs' advice on positionals.
 */
export function usageMessage(error: Error & { code?: string }): string {
  if (error instanceof UsageError) return error.message;
  // parseArgs names the option as '--port' or '-p, --port <value>'.
  const option = /'(?:-\w, )?(--?[\w-]+)/.exec(error.message)?.[1];
  if (option && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option "${option}"`;
  if (option && error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take an argument/.test(error.message) ? `${option} takes no value` : `${option} expects a value`;
  }
  const first = error.message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

/** The rule of the services' prefixes in `manito up`, so its lines and theirs agree on colour. */
export const useColour: (stream?: { isTTY?: boolean }, env?: NodeJS.ProcessEnv) => boolean = colourEnabled;

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
