// Runs services in the editor's integrated terminals: the host asks the extension to open one
// (LaunchTerminal, which answers with the shell pid); the extension reports its end (TerminalExited).
import type { RequestType } from 'vscode-languageserver-protocol';
import {
  KillTerminal, LaunchTerminal,
  type LaunchTerminalParams, type TerminalExitedParams,
} from '../../protocol/lsp';
import { ExitSignal, type ExitInfo, type LaunchedService, type Launcher } from './launcher';
import type { LaunchSpec } from './launchEnv';
import { isAlive, killTree } from './processTree';
import { recordOf } from '../proc/processIdentity';

/** The part of a vscode-languageserver `Connection` this needs; pass the connection itself. */
export interface RequestSender {
  sendRequest<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
}

export interface TerminalLauncherOptions {
  graceMs?: number;
}

export class TerminalLauncher implements Launcher {
  readonly runner = 'terminal' as const;
  private readonly live = new Map<string, ExitSignal>();

  constructor(private readonly sender: RequestSender, private readonly options: TerminalLauncherOptions = {}) {}

  async launch(spec: LaunchSpec): Promise<LaunchedService> {
    const params: LaunchTerminalParams = { service: spec.service, name: spec.name, command: spec.command, cwd: spec.cwd, env: spec.env };
    const exit = this.track(spec.service);
    let pid: number | null;
    try {
      ({ pid } = await this.sender.sendRequest(LaunchTerminal.type, params));
    } catch (error) {
      this.live.delete(spec.service);
      throw error;
    }
    return this.handle(spec.service, pid, exit);
  }

  /**
   * A terminal the editor still has open from before a host restart (HostInitOptions.terminals):
   * the same handle as launch() gives, without opening another. Pass it to StackRunner.adopt().
   */
  adopt(service: string, pid: number | null): LaunchedService {
    return this.handle(service, pid, this.track(service));
  }

  private track(service: string): ExitSignal {
    const exit = new ExitSignal();
    this.live.get(service)?.fire({ code: null });
    this.live.set(service, exit);
    exit.on(() => { if (this.live.get(service) === exit) this.live.delete(service); });
    return exit;
  }

  private handle(service: string, pid: number | null, exit: ExitSignal): LaunchedService {
    let stopping: Promise<void> | undefined;
    return {
      service,
      pid,
      // The shell's identity: the next host proves the service's listener by this shell's tree.
      record: pid !== null ? recordOf(pid) : null,
      runner: 'terminal',
      get exited() { return exit.fired; },
      onExit: (listener: (info: ExitInfo) => void) => exit.on(listener),
      stop: () => {
        stopping ??= (async () => {
          // Kill the service first so it gets SIGTERM and a grace time, not a terminal's SIGHUP; the
          // shell itself ignores SIGTERM and goes with its terminal.
          if (pid !== null && isAlive(pid)) await killTree(pid, { graceMs: this.options.graceMs ?? 3000, spareRoot: true });
          try {
            await this.sender.sendRequest(KillTerminal.type, { service });
          } finally {
            exit.fire({ code: null });
          }
        })();
        return stopping;
      },
    };
  }

  /** The host forwards the extension's TerminalExited notification here. */
  terminalExited(params: TerminalExitedParams): void {
    this.live.get(params.service)?.fire({ code: params.exitCode ?? null });
  }
}
