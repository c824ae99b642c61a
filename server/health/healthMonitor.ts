// Per-service health state machine. Every service runs on its own timer (no shared await chain), so
// one hung listener never delays another. Clock and probe are injected so tests drive time and faults.
//   healthy:   the probe answers
//   starting:  launched, not yet healthy, within the grace period
//   unhealthy: launched (past the grace period, or healthy once since its launch) or detected
//              running, and the probe fails, unless it is being stopped on purpose; or its process
//              exited without being asked to (told by exited(), not waited for from a probe)
//   stopped:   nothing answers and Manito did not launch it, or is stopping it
// A service that is starting, or that someone waits on, is probed every FAST_PROBE_MS so a dependent
// starts within 100 ms of its dependency answering; otherwise every interval (2 s by default).
import { Emitter } from 'vscode-jsonrpc';
import { DEFAULT_HEALTH_INTERVAL_MS, type HealthCheckConfig, type ServiceKind } from '../../protocol/config';
import type { HealthState, ProbeSample } from '../../protocol/model';
import type { Probe } from './probes';

/** The probe period while a service is starting or waited on: a loopback connect, cheap at this rate. */
export const FAST_PROBE_MS = 25;
/** A command check spawns a shell: probed less eagerly, even when fast. */
export const FAST_COMMAND_PROBE_MS = 250;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MonitoredService {
  service: string;
  kind: ServiceKind;
  port: number | null;
  check?: HealthCheckConfig;
  /** Started by Manito (terminal or process). */
  launched: boolean;
  /** Found already running and adopted. */
  detected: boolean;
  /** Being stopped on purpose: no answer is expected, and none is a fault. */
  stopping?: boolean;
}

export interface ServiceHealth {
  health: HealthState;
  since: number;
  lastCheck: number | null;
  latencyMs: number | null;
  detail: string | null;
  history: ProbeSample[];
}

export interface HealthTransition {
  service: string;
  from: HealthState;
  to: HealthState;
  detail?: string;
}

export interface HealthMonitorOptions {
  probe: Probe;
  cwd: string;
  clock?: Clock;
  /** How long a launched service may take to answer before it counts as unhealthy. Default 30 s. */
  graceMs?: number;
  historySize?: number;
}

interface Entry {
  config: MonitoredService;
  state: ServiceHealth;
  timer: unknown;
  /** Bumped whenever the target changes, so a probe in flight for the old target is ignored. */
  generation: number;
  launchedAt: number | null;
  inFlight: boolean;
  /** Stopped on purpose since its last launch: whatever health it shows is the old process's. */
  stoppedOnPurpose: boolean;
  /** Why its process exited unasked (until it is launched again or answers): unhealthy, not stopped. */
  exited: string | null;
}

export class HealthMonitor {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly transitions = new Emitter<HealthTransition>();
  private readonly samples = new Emitter<string>();
  /** How many waitHealthy calls wait on each service: while any do, it is probed fast. */
  private readonly waiters = new Map<string, number>();
  private disposed = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.clock = options.clock ?? realClock;
  }

  /** Replaces the monitored set: new services start probing at once, removed ones stop. */
  setServices(services: MonitoredService[]): void {
    const names = new Set(services.map((s) => s.service));
    for (const [name, entry] of this.entries) {
      if (!names.has(name)) {
        this.clock.clearTimeout(entry.timer);
        this.entries.delete(name);
      }
    }
    for (const config of services) this.update(config.service, config);
  }

  /** Changes what is known of one service (port, check, launched, detected); re-probes now if it changed. */
  update(service: string, patch: Partial<MonitoredService>): void {
    if (this.disposed) return;
    let entry = this.entries.get(service);
    if (!entry) {
      const config = { service, kind: 'http', port: null, launched: false, detected: false, ...patch } as MonitoredService;
      const now = this.clock.now();
      entry = {
        config, generation: 0, timer: undefined, inFlight: false, launchedAt: config.launched ? now : null, stoppedOnPurpose: false, exited: null,
        state: { health: 'stopped', since: now, lastCheck: null, latencyMs: null, detail: null, history: [] },
      };
      this.entries.set(service, entry);
      if (config.launched) this.transition(entry, 'starting', 'launched');
      this.schedule(entry, 0);
      return;
    }
    const before = entry.config;
    const next = { ...before, ...patch };
    if (JSON.stringify(next) === JSON.stringify(before)) return;
    entry.config = next;
    if (next.stopping && !before.stopping) entry.stoppedOnPurpose = true;
    if (next.launched && !before.launched) {
      entry.launchedAt = this.clock.now();
      // A new process has not answered yet, even if the one it replaces (a restart) had. One that was
      // running already (a terminal adopted after a host restart) keeps the health it shows.
      if (entry.state.health !== 'healthy' || entry.stoppedOnPurpose || entry.exited !== null) this.transition(entry, 'starting', 'launched');
      entry.stoppedOnPurpose = false;
      entry.exited = null;
    }
    if (!next.launched) entry.launchedAt = null;
    if (next.port !== before.port) entry.state.history = [];
    entry.generation++;
    entry.inFlight = false;
    this.schedule(entry, 0);
  }

  /**
   * The process Manito started for this service exited: shown unhealthy now, from the launcher's
   * exit event, rather than at the next probe. Ignored when the service is being stopped on purpose.
   */
  exited(service: string, detail: string): void {
    const entry = this.entries.get(service);
    if (!entry || entry.config.stopping || entry.stoppedOnPurpose) return;
    entry.exited = detail;
    entry.launchedAt = null;
    entry.state.detail = detail;
    this.transition(entry, 'unhealthy', detail);
  }

  /** Probes now rather than at the next tick (before self-healing judges a listener on its port). */
  async checkNow(service: string): Promise<void> {
    const entry = this.entries.get(service);
    if (!entry || entry.inFlight) return;
    this.clock.clearTimeout(entry.timer);
    await this.check(entry);
  }

  state(service: string): ServiceHealth | undefined {
    return this.entries.get(service)?.state;
  }

  onTransition(listener: (t: HealthTransition) => void): () => void {
    const subscription = this.transitions.event(listener);
    return () => subscription.dispose();
  }

  /** Every probe result (latency and lastCheck change even without a transition). */
  onSample(listener: (service: string) => void): () => void {
    const subscription = this.samples.event(listener);
    return () => subscription.dispose();
  }

  /** Resolves true as soon as the service is healthy, false after `timeoutMs`. */
  waitHealthy(service: string, timeoutMs: number): Promise<boolean> {
    if (this.entries.get(service)?.state.health === 'healthy') return Promise.resolve(true);
    return new Promise((resolve) => {
      const off = this.onTransition((t) => {
        if (t.service === service && t.to === 'healthy') done(true);
      });
      const timer = this.clock.setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        off();
        this.clock.clearTimeout(timer);
        const left = (this.waiters.get(service) ?? 1) - 1;
        if (left > 0) this.waiters.set(service, left);
        else this.waiters.delete(service);
        resolve(ok);
      };
      this.waiters.set(service, (this.waiters.get(service) ?? 0) + 1);
      // Someone is waiting: probe now instead of at the next interval tick.
      const entry = this.entries.get(service);
      if (entry && !entry.inFlight) this.schedule(entry, 0);
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) this.clock.clearTimeout(entry.timer);
    this.entries.clear();
    this.transitions.dispose();
    this.samples.dispose();
    this.waiters.clear();
  }

  private schedule(entry: Entry, delayMs: number): void {
    this.clock.clearTimeout(entry.timer);
    entry.timer = this.clock.setTimeout(() => void this.check(entry), delayMs);
  }

  private async check(entry: Entry): Promise<void> {
    if (this.disposed || this.entries.get(entry.config.service) !== entry || entry.inFlight) return;
    const generation = entry.generation;
    const config = entry.config;
    if (config.port === null) {
      this.transition(entry, config.launched ? this.failedState(entry) : 'stopped', 'no port assigned');
      this.schedule(entry, this.nextDelay(entry));
      return;
    }
    entry.inFlight = true;
    let outcome;
    try {
      outcome = await this.options.probe({ service: config.service, kind: config.kind, port: config.port, check: config.check, cwd: this.options.cwd, userStarted: config.launched });
    } catch (error) {
      outcome = { ok: false, latencyMs: 0, detail: `probe failed: ${(error as Error).message}` };
    }
    if (this.disposed || entry.generation !== generation || this.entries.get(config.service) !== entry) return;
    entry.inFlight = false;
    const now = this.clock.now();
    const state = entry.state;
    state.lastCheck = now;
    state.latencyMs = outcome.ok ? outcome.latencyMs : null;
    state.detail = outcome.detail;
    state.history.push({ at: new Date(now).toISOString(), ok: outcome.ok, latencyMs: outcome.ok ? outcome.latencyMs : null });
    const max = this.options.historySize ?? 30;
    if (state.history.length > max) state.history.splice(0, state.history.length - max);
    // The grace period ends at the first answer: a service that answered and then stops has crashed, it is not starting.
    if (outcome.ok) {
      entry.launchedAt = null;
      entry.exited = null;
    }
    // Still answering while it is being stopped: not news, and not "healthy" again on the way out.
    if (!(outcome.ok && config.stopping)) this.transition(entry, outcome.ok ? 'healthy' : this.failedState(entry), outcome.detail);
    this.samples.fire(config.service);
    this.schedule(entry, this.nextDelay(entry));
  }

  /** Fast while it is starting or waited on (a dependent is held up by it), else its interval. */
  private nextDelay(entry: Entry): number {
    const check = entry.config.check;
    const interval = check?.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
    const urgent = entry.state.health === 'starting' || this.waiters.has(entry.config.service);
    return urgent ? Math.min(interval, check?.type === 'command' ? FAST_COMMAND_PROBE_MS : FAST_PROBE_MS) : interval;
  }

  private failedState(entry: Entry): HealthState {
    const { launched, detected, stopping } = entry.config;
    if (stopping) return 'stopped';
    if (entry.exited !== null) return 'unhealthy';
    if (launched && entry.launchedAt !== null && this.clock.now() - entry.launchedAt < (this.options.graceMs ?? 30_000)) return 'starting';
    return launched || detected ? 'unhealthy' : 'stopped';
  }

  private transition(entry: Entry, to: HealthState, detail?: string): void {
    const from = entry.state.health;
    if (from === to) return;
    entry.state.health = to;
    entry.state.since = this.clock.now();
    const t: HealthTransition = { service: entry.config.service, from, to, ...(detail ? { detail } : {}) };
    this.transitions.fire(t);
  }
}
