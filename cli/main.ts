// Entry of dist/cli.js (the package's `manito` bin): a table of commands, each with --help.
// Exit codes: 0 ok, 1 not found or failed, 2 usage error.
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliCommand, CommandContext } from './command';
import { down } from './commands/down';
import { moveBack } from './commands/moveBack';
import { host } from './commands/host';
import { ports } from './commands/ports';
import { scan } from './commands/scan';
import { status } from './commands/status';
import { up } from './commands/up';
import { outputClosed, reportOutputClosed } from './closedOutput';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, style, usageMessage, UsageError, useColour } from './output';
import { HOST_VERSION } from '../server/host/version';

const COMMANDS: readonly CliCommand[] = [status, ports, up, down, moveBack, host, scan];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'manito: ports that never collide, for every service of a dev stack',
    '',
    'Usage: manito <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `manito <command> --help` for a command\'s options.',
    'Exit codes: 0 ok, 1 not found or failed, 2 usage error. No colour unless stdout is a terminal and NO_COLOR is unset or empty.',
    'Environment: MANITO_STATE_DIR (where hosts leave discovery files), MANITO_SCAN_PORTS (ports status probes), NO_COLOR.',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  return [`Usage: manito ${command.usage}`, '', command.summary + '.', '', command.help, '', '  -h, --help      show this help'].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Once the reader is gone, more lines only raise EPIPE again: they go nowhere instead.
  const out = (line: string) => { if (!outputClosed()) process.stdout.write(`${line}\n`); };
  const err = (line: string) => { if (!outputClosed()) process.stderr.write(`${line}\n`); };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help'], env);
    out(mainHelp());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    out(HOST_VERSION);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`manito: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See \`manito --help\`.`);
    return EXIT_USAGE;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (parsed.positionals.length > command.maxPositionals) throw new UsageError(`too many arguments: ${parsed.positionals.join(' ')}`);
    // A command's folder positional is the stack's folder: a typo must not watch a folder that is not there.
    for (const dir of parsed.positionals.slice(command.folderFrom ?? 0)) if (!isFolder(dir)) throw new UsageError(`no such folder: ${dir}`);
    for (const key of ['port', 'timeout']) {
      const value = parsed.values[key as keyof typeof parsed.values];
      if (typeof value === 'string' && !/^\d+$/.test(value)) throw new UsageError(`--${key} expects a number, got "${value}"`);
      if (key === 'port' && typeof value === 'string' && !(Number(value) >= 1 && Number(value) <= 65535)) {
        throw new UsageError(`--port expects a TCP port from 1 to 65535, got ${value}`);
      }
    }
  } catch (error) {
    err(`manito ${command.name}: ${usageMessage(error as Error)}`);
    err(`Usage: manito ${command.usage}  (see \`manito ${command.name} --help\`)`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    out(commandHelp(command));
    return EXIT_OK;
  }
  const ctx: CommandContext = {
    positionals: parsed.positionals,
    values: parsed.values as CommandContext['values'],
    env, out, err,
    style: style(useColour(process.stdout, env)),
    errStyle: style(useColour(process.stderr, env)),
  };
  try {
    return await command.run(ctx);
  } catch (error) {
    err(`manito ${command.name}: ${(error as Error).message}`);
    // A check only the command can make (`move-back` without a service) is still a usage error.
    if (!(error instanceof UsageError)) return EXIT_FAILED;
    err(`Usage: manito ${command.usage}  (see \`manito ${command.name} --help\`)`);
    return EXIT_USAGE;
  }
}

// A reader that stops early (`manito status | head -1`) closes the pipe: that is the reader's
// choice, not a failure, so the CLI ends quietly with 0, as `git log | head` does; `manito up`
// first stops its stack (cli/closedOutput.ts). A write after that finds a destroyed stream: no news.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || (outputClosed() && error.code === 'ERR_STREAM_DESTROYED')) {
      reportOutputClosed((code) => process.exit(code));
      return;
    }
    throw error;
  });
}

main(process.argv.slice(2)).then((code) => {
  // Let stdout drain before exiting (a pipe may still hold the last lines).
  process.exitCode = code;
  // A closed stdout never drains.
  if (process.stdout.writableLength === 0 || outputClosed()) process.exit(code);
  else process.stdout.once('drain', () => process.exit(code));
}, (error) => {
  process.stderr.write(`manito: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(EXIT_FAILED);
});

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
