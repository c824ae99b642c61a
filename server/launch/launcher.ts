// What runs a service: a headless child process (`manito up`) or an editor terminal (the
// extension). StackRunner only sees this interface.
import type { LaunchSpec } from './launchEnv';
import type { ProcessRecord } from '../proc/processIdentity';
import type { Reaper } from '../proc/reaper';

export interface ExitInfo {
  /** Null when killed by a signal or unknown (a terminal closed by the user). */
  code: number | null;
  signal?: NodeJS.Signals | null;
}

export interface LaunchedService {
  readonly service: string;
  /** The shell's pid; null when the editor could not tell it. */
  readonly pid: number | null;
  readonly runner: 'process';
  /** pid, start time and process group of what we started, when /proc tells: proof it is ours. */
  readonly record?: ProcessRecord | null;
  /** The container's name when the service runs in one (a compose service). */
  readonly container?: string;
  /** True once the service has exited (on its own or through stop()). */
  readonly exited: boolean;
  /** Kill the whole process tree; resolves when nothing of it remains. Idempotent. */
  stop(): Promise<void>;
  /** Called once, when the service exits for whatever reason. Returns an unsubscribe function. */
  onExit(listener: (info: ExitInfo) => void): () => void;
}

export interface Launcher {
  readonly runner: 'process';
  launch(spec: LaunchSpec): Promise<LaunchedService>;
  /** Launchers that spawn processes tell the reaper each group (the CLI's launcher is another bundle's class: no instanceof). */
  attachReaper?(reaper: Reaper): void;
  /** A containerised service's container port, which its host port is published to (not passed as PORT). */
  containerPortOf?(service: string): number | null;
}

/** Shared bookkeeping of exit listeners for launcher implementations. */
export class ExitSignal {
  private listeners = new Set<(info: ExitInfo) => void>();
  private result: ExitInfo | undefined;

  get fired(): boolean { return this.result !== undefined; }
  get info(): ExitInfo | undefined { return this.result; }

  on(listener: (info: ExitInfo) => void): () => void {
    if (this.result) {
      const info = this.result;
      queueMicrotask(() => listener(info));
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(info: ExitInfo): void {
    if (this.result) return;
    this.result = info;
    for (const listener of this.listeners) listener(info);
    this.listeners.clear();
  }

  /** Resolves on exit. */
  wait(): Promise<ExitInfo> {
    return new Promise((resolve) => this.on(resolve));
  }
}
