// Keeps the explanation of a moved service true while the host runs: watches the foreign process
// that pushed a service off its first preferred port ("3000 is held by pid 123 (python3)") and,
// once that process has exited and the port is free, says so and offers the move back.
import type { StackConfig } from '../../protocol/config';
import type { PortHolder } from '../../protocol/model';
import type { Assignment } from '../engine/engineApi';
import { describeHolder } from '../engine/plan/explain';
import { defaultPortProbe } from '../engine/portProbe';
import { isProcessAlive } from '../engine/processAlive';
import type { EventLog } from './eventLog';
import type { HostLog } from './log';

export interface FreedPort {
  service: string;
  /** The first preferred port, free again. */
  port: number;
  /** Where the service is now. */
  current: number;
  holder: PortHolder;
  explanation: string;
}

export interface HolderWatchOptions {
  assignments: () => ReadonlyMap<string, Assignment>;
  /** A service's first preferred port, if it has one. */
  preferredPort: (service: string) => number | undefined;
  /** Whether the holder still runs (its pid, and its start time where recorded). */
  alive: (pid: number, startTime?: number) => boolean;
  isFree: (port: number) => Promise<boolean>;
  /** A port became free again (once per holder exit), or an offer was withdrawn (`null`: the port was taken again). */
  onChange: (service: string, freed: FreedPort | null) => void;
}

export class HolderWatch {
  private readonly freed = new Map<string, FreedPort>();
  private ticking = false;

  constructor(private readonly options: HolderWatchOptions) {}

  /** The standing offer for `service`, if its preferred port is free again. */
  get(service: string): FreedPort | undefined {
    return this.freed.get(service);
  }

  /** One look at every watched holder; overlapping calls are dropped (a slow bind check must not pile up). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const assignments = this.options.assignments();
      for (const name of [...this.freed.keys()]) if (!assignments.has(name)) this.withdraw(name);
      for (const [name, a] of assignments) await this.look(name, a);
    } finally {
      this.ticking = false;
    }
  }

  private async look(name: string, a: Assignment): Promise<void> {
    const target = this.options.preferredPort(name);
    const holder = a.holder;
    // Only a foreign process named by pid can be watched; a managed service's lease is the engine's business.
    if (target === undefined || a.port === target || !holder?.pid || holder.service !== undefined) return this.withdraw(name);
    const known = this.freed.get(name);
    if (known && known.current === a.port && known.holder.pid === holder.pid) {
      if (!(await this.options.isFree(target))) this.withdraw(name, true);
      return;
    }
    if (this.options.alive(holder.pid, holder.startTime)) return this.withdraw(name);
    if (!(await this.options.isFree(target))) return;
    const freed: FreedPort = {
      service: name, port: target, current: a.port, holder,
      explanation: `${target} is free again: ${describeHolder(holder)}, which held it, has exited; ${name} stays on ${a.port} until you move it back`,
    };
    this.freed.set(name, freed);
    this.options.onChange(name, freed);
  }

  private withdraw(name: string, tell = false): void {
    if (this.freed.delete(name) && tell) this.options.onChange(name, null);
  }
}

/** A HolderWatch on the real OS (bind checks, /proc), looking every `intervalMs` on an unref()ed timer; a freed port is logged and becomes a `portFreed` event. */
export function startHolderWatch(options: {
  assignments: () => ReadonlyMap<string, Assignment>;
  stack: () => StackConfig;
  intervalMs: number;
  log: Pick<HostLog, 'info' | 'error'>;
  events: Pick<EventLog, 'push'>;
  changed: () => void;
}): { watch: HolderWatch; stop(): void } {
  const probe = defaultPortProbe();
  const watch = new HolderWatch({
    assignments: options.assignments,
    preferredPort: (name) => options.stack().services[name]?.preferred?.[0],
    alive: (pid, startTime) => isProcessAlive(pid, startTime),
    isFree: (port) => probe.isFree(port),
    onChange: (service, freed) => {
      if (freed) {
        options.log.info(`↩️ ${freed.explanation}`);
        options.events.push({ type: 'portFreed', service, port: freed.port, current: freed.current, explanation: freed.explanation, holder: freed.holder });
      }
      options.changed();
    },
  });
  const tick = () => void watch.tick().catch((error) => options.log.error('Watching port holders failed', error));
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return { watch, stop: () => clearInterval(timer) };
}
