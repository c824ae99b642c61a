// Runs services as headless child processes (`manito up`): `sh -c command` in its own process
// group, every output line prefixed with the service's name, stop() kills the whole tree.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ExitSignal, type ExitInfo, type LaunchedService, type Launcher } from './launcher';
import type { LaunchSpec } from './launchEnv';
import { killTree } from './processTree';
import { recordOf, type ProcessRecord } from '../proc/processIdentity';
import type { Reaper } from '../proc/reaper';

export interface ProcessLauncherOptions {
  /** Where prefixed lines go (each call is one line, newline included). Default process.stdout. */
  write?: (line: string) => void;
  /** Colour the prefixes. Default: colourEnabled() for stdout. */
  color?: boolean;
  /** Laid under each spec's env. Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** SIGTERM to SIGKILL. Default 3000 ms. */
  graceMs?: number;
  /**
   * Raw output, unprefixed, for a terminal that shows one service (the editor's pseudo-terminals).
   * When set, lines are not written to `write` and each service's stdin stays open for input().
   */
  raw?: (service: string, text: string) => void;
  /** Told every process group we start, so it ends them if this process dies (server/proc/reaper.ts). */
  reaper?: Reaper;
  /**
   * Each service's output appended to this file instead of a pipe to us: for services that outlive
   * this process (`manito up --detach`), which a closed pipe would kill on their next write.
   */
  logFile?: (service: string) => string;
}

const COLOURS = [36, 33, 35, 32, 34, 91, 96, 93];

/**
 * Colour on a terminal unless NO_COLOR is set or TERM is dumb. The CLI's own output follows the
 * same rule. As no-color.org says, an empty NO_COLOR (`NO_COLOR=`) does not turn colour off.
 */
export function colourEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

export class ProcessLauncher implements Launcher {
  readonly runner = 'process' as const;
  private readonly write: (line: string) => void;
  private readonly color: boolean;
  private readonly names: string[] = [];

  private readonly options: ProcessLauncherOptions;

  constructor(options: ProcessLauncherOptions = {}) {
    this.options = { ...options };
    this.write = options.write ?? ((line) => { process.stdout.write(line); });
    this.color = options.color ?? colourEnabled();
  }

  /** From now on every service's process group is told to the reaper (runHost attaches the host's). */
  attachReaper(reaper: Reaper): void {
    this.options.reaper = reaper;
  }

  /** Names known up front (every service, and e.g. `manito` for the host's own lines) align from the first line. */
  reserve(names: Iterable<string>): void {
    for (const name of names) if (!this.names.includes(name)) this.names.push(name);
  }

  /** `name |`, padded to the longest name seen, coloured when enabled; for lines written beside the services'. */
  prefix(name: string): string {
    if (!this.names.includes(name)) this.names.push(name);
    const width = Math.max(...this.names.map((n) => n.length));
    const label = `${name.padEnd(width)} |`;
    if (!this.color) return label;
    const colour = COLOURS[this.names.indexOf(name) % COLOURS.length];
    return `\x1b[${colour}m${label}\x1b[0m`;
  }

  private readonly stdins = new Map<string, NodeJS.WritableStream>();

  /** Typed into a service's terminal (raw mode only). */
  input(service: string, data: string): void {
    this.stdins.get(service)?.write(data);
  }

  async launch(spec: LaunchSpec): Promise<LaunchedService> {
    this.prefix(spec.name);
    const raw = this.options.raw;
    const logPath = this.options.logFile?.(spec.service);
    const logFd = logPath ? openLog(logPath) : undefined;
    const child = spawn('sh', ['-c', shellLine(spec.command)], {
      cwd: spec.cwd,
      env: { ...(this.options.baseEnv ?? process.env), ...spec.env },
      // Its own process group: stop() and the reaper end the whole group, and a Ctrl-C meant for us is not its.
      detached: true,
      stdio: logFd !== undefined ? ['ignore', logFd, logFd] : [raw ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (logFd !== undefined) fs.closeSync(logFd); // the child has its own copy
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid!;
    const record: ProcessRecord | null = recordOf(pid);
    if (record) this.options.reaper?.watch(record);
    const exit = new ExitSignal();
    if (child.stdin) {
      child.stdin.on('error', () => { /* the service closed its stdin or exited */ });
      this.stdins.set(spec.service, child.stdin);
    }
    const pump = (stream: NodeJS.ReadableStream) => {
      if (raw) {
        const decoder = new StringDecoder('utf8');
        stream.on('data', (chunk: Buffer) => raw(spec.service, decoder.write(chunk)));
        stream.on('end', () => { const rest = decoder.end(); if (rest) raw(spec.service, rest); });
        return;
      }
      const decoder = new StringDecoder('utf8');
      let pending = '';
      const flush = (text: string) => {
        pending += text;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          this.write(`${this.prefix(spec.name)} ${pending.slice(0, nl).replace(/\r$/, '')}\n`);
          pending = pending.slice(nl + 1);
        }
      };
      stream.on('data', (chunk: Buffer) => flush(decoder.write(chunk)));
      stream.on('end', () => {
        flush(decoder.end());
        if (pending) this.write(`${this.prefix(spec.name)} ${pending}\n`);
        pending = '';
      });
    };
    if (child.stdout) pump(child.stdout);
    if (child.stderr) pump(child.stderr);

    let stopping: Promise<void> | undefined;
    // 'close' waits for the pipes, which grandchildren may hold open; 'exit' is the shell itself.
    child.once('exit', (code, sig) => {
      // The shell ended on its own: whatever it left in its group would outlive the service.
      if (!stopping) {
        try { process.kill(-pid, 'SIGTERM'); } catch { /* the group is already empty */ }
      }
      if (this.stdins.get(spec.service) === child.stdin) this.stdins.delete(spec.service);
      if (record) this.options.reaper?.forget(record.pgid);
      exit.fire({ code, signal: sig });
    });
    const graceMs = this.options.graceMs ?? 3000;
    return {
      service: spec.service,
      pid,
      record,
      runner: 'process',
      get exited() { return exit.fired; },
      onExit: (listener: (info: ExitInfo) => void) => exit.on(listener),
      stop: () => {
        stopping ??= (async () => {
          await killTree(pid, { group: pid, graceMs });
          if (!exit.fired) await Promise.race([exit.wait(), new Promise((r) => setTimeout(r, 1000).unref())]);
          child.stdout?.destroy();
          child.stderr?.destroy();
        })();
        return stopping;
      },
    };
  }
}

function openLog(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  return fs.openSync(file, 'a', 0o600);
}

/**
 * A single simple command is exec'd by the shell, so the pid we report (and the terminal shows) is
 * the service's own, and its exit code is the service's. Lists, pipelines, subshells and leading
 * variable assignments keep the shell as their parent (exec would cut them short or misread them).
 */
export function shellLine(command: string): string {
  // Operators inside quotes are text (`node -e "f(1); g()"`); command substitution is not.
  const unquoted = command.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '""');
  const simple = !/`|\$\(/.test(command) && !/[;&|()\n]/.test(unquoted)
    && !/^\s*[A-Za-z_][A-Za-z0-9_]*=/.test(command) && !/^\s*exec\b/.test(command);
  return simple ? `exec ${command}` : command;
}
