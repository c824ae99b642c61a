// Runs services as headless child processes (`manito up`): `sh -c command` in its own process
// group, every output line prefixed with the service's name, stop() kills the whole tree.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { ExitSignal, type ExitInfo, type LaunchedService, type Launcher } from './launcher';
import type { LaunchSpec } from './launchEnv';
import { killTree } from './processTree';

export interface ProcessLauncherOptions {
  /** Where prefixed lines go (each call is one line, newline included). Default process.stdout. */
  write?: (line: string) => void;
  /** Colour the prefixes. Default: colourEnabled() for stdout. */
  color?: boolean;
  /** Laid under each spec's env. Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** SIGTERM to SIGKILL. Default 3000 ms. */
  graceMs?: number;
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

  constructor(private readonly options: ProcessLauncherOptions = {}) {
    this.write = options.write ?? ((line) => { process.stdout.write(line); });
    this.color = options.color ?? colourEnabled();
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

  async launch(spec: LaunchSpec): Promise<LaunchedService> {
    this.prefix(spec.name);
    const child = spawn('sh', ['-c', spec.command], {
      cwd: spec.cwd,
      env: { ...(this.options.baseEnv ?? process.env), ...spec.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid!;
    const exit = new ExitSignal();
    const pump = (stream: NodeJS.ReadableStream) => {
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
    pump(child.stdout!);
    pump(child.stderr!);

    let stopping: Promise<void> | undefined;
    // 'close' waits for the pipes, which grandchildren may hold open; 'exit' is the shell itself.
    child.once('exit', (code, sig) => {
      // The shell ended on its own: whatever it left in its group would outlive the service.
      if (!stopping) {
        try { process.kill(-pid, 'SIGTERM'); } catch { /* the group is already empty */ }
      }
      exit.fire({ code, signal: sig });
    });
    const graceMs = this.options.graceMs ?? 3000;
    return {
      service: spec.service,
      pid,
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
