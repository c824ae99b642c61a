// Re-adopts the service terminals the editor kept open across a host restart
// (HostInitOptions.terminals): they run our services, so they are neither detected as foreign nor
// started twice, Stop stops them (tree and terminal), and the port their processes listen on stays theirs.
import type { StackConfig } from '../../protocol/config';
import type { PortEngineApi } from '../engine/engineApi';
import { descendants, isAlive } from '../launch/processTree';
import type { StackRunner } from '../launch/stackRunner';
import type { TerminalLauncher } from '../launch/terminalLauncher';
import { sharedSocketOwners } from '../proc/socketOwners';

export interface OpenTerminal {
  service: string;
  /** The terminal's shell; null when the editor could not tell it. */
  pid: number | null;
}

/** The terminals worth adopting: a service of this stack whose shell still lives. */
export function liveTerminals(terminals: readonly OpenTerminal[], stack: StackConfig): OpenTerminal[] {
  return terminals.filter((t) => Object.prototype.hasOwnProperty.call(stack.services, t.service) && (t.pid === null || isAlive(t.pid)));
}

export interface AdoptionDeps {
  launcher: TerminalLauncher;
  runner: StackRunner;
  engine: PortEngineApi;
  stack: StackConfig;
  log: (line: string) => void;
  warn: (line: string, error: unknown) => void;
}

/**
 * Hands each terminal to the runner, which marks it running in the engine (so self-healing never
 * moves it). Its port normally comes back with the lease the previous host left; when none was
 * left, a preferred port that a process of the terminal's tree listens on is ours, not foreign.
 */
export async function adoptTerminals(terminals: readonly OpenTerminal[], deps: AdoptionDeps): Promise<void> {
  for (const t of terminals) {
    deps.runner.adopt(t.service, deps.launcher.adopt(t.service, t.pid));
    deps.log(`Re-adopted ${t.service}, still running in its terminal${t.pid !== null ? ` (shell pid ${t.pid})` : ''}`);
    if (t.pid === null) continue;
    const tree = new Set([t.pid, ...descendants(t.pid)]);
    const ours = (port: number) => {
      const pid = sharedSocketOwners().holderOf(port)?.pid;
      return pid !== undefined && tree.has(pid);
    };
    const assigned = deps.engine.get(t.service)?.port;
    if (assigned !== undefined && ours(assigned)) continue;
    const port = (deps.stack.services[t.service]?.preferred ?? []).find(ours);
    if (port === undefined) continue;
    try {
      await deps.engine.adopt(t.service, port, `${t.service} was still running in its terminal on ${port} when the host restarted; kept there`);
    } catch (error) {
      deps.warn(`Could not keep ${t.service} on ${port}`, error);
    }
  }
}
