// The shape of one CLI command; cli/main.ts holds the table of them.
import type { ParseArgsConfig } from 'node:util';
import type { Style } from './output';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  style: Style;
  /** Style for stderr lines (its own TTY test). */
  errStyle: Style;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** First line of --help, after `manito `. */
  usage: string;
  /** Extra --help text: options and examples. */
  help: string;
  options: OptionSpec;
  /** At most this many positionals (usage error beyond). */
  maxPositionals: number;
  /** Index of the first positional that names a folder (default 0): `move-back <service> [dir]` says 1. */
  folderFrom?: number;
  /** Resolves to the exit code. */
  run(ctx: CommandContext): Promise<number>;
}
