// The port engine: owns one workspace's stack, its ports and their leases. Every change runs as
// one registry transaction (plan with port checks, explain, rewrite this engine's leases with
// their notes), then is announced as events. Calls are serialized, so callers never see a half state.
import { Emitter } from 'vscode-jsonrpc';
import type { StackConfig, Strategy } from '../../protocol/config';
import { leasesFile } from '../discovery/stateFolder';
import { assertValidStack } from '../config/validateStack';
import type { Assignment, EngineEvent, PortEngineApi, PortProbe } from './engineApi';
import { LeaseRegistry, newOwnerId, OWN_START_TIME, type Lease } from './leaseRegistry';
import { assignmentsOf, type Announced } from './plan/assignments';
import { HolderCache } from './plan/explain';
import { takeOver } from './plan/handover';
import { recordPlan } from './plan/leaseRecords';
import { Planner, type Blocker, type Placement } from './plan/planner';
import { assertPort } from './plan/portNumbers';
import { remember, rememberedPort } from './plan/memory';
import { buildModel, type StackModel } from './plan/stackModel';
import { defaultPortProbe } from './portProbe';
import { isProcessAlive } from './processAlive';
import { worktreeNamer } from './worktrees';
import type { PortEngineOptions } from './portEngineOptions';

export type { PortEngineOptions } from './portEngineOptions';

/** `orphans`: leases dead or departed hosts left; the engine of their workspace may take them over. */
type Mutation = (planner: Planner, placements: Map<string, Placement>, others: Map<number, Lease>, orphans: Lease[]) => Promise<void>;

export class PortEngine implements PortEngineApi {
  /** This engine's lease owner id; several engines may share one process. */
  readonly owner = newOwnerId();
  readonly workspace: string;
  private readonly registry: LeaseRegistry;
  private readonly probe: PortProbe;
  private readonly clock: () => number;
  private readonly events = new Emitter<EngineEvent>();
  private readonly onListenerError: (error: unknown) => void;
  private stackConfig: StackConfig;
  private model: StackModel;
  /** Root services only; inheritors are derived. */
  private placements = new Map<string, Placement>();
  private assignments = new Map<string, Assignment>();
  private readonly errors = new Map<string, string>();
  private readonly running = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private healTimer: NodeJS.Timeout | undefined;
  private handoverWaitMs: number; // zero once the first transaction has waited for a predecessor
  private readonly nameWorkspace: (workspace: string) => string | undefined;

  constructor(options: PortEngineOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('PortEngine: options must be an object');
    if (typeof options.workspace !== 'string') throw new TypeError('PortEngine: `workspace` must be a string');
    this.probe = options.probe ?? defaultPortProbe();
    this.stackConfig = assertValidStack(options.stack, { workspace: options.workspace });
    this.model = buildModel(this.stackConfig);
    this.workspace = options.workspace;
    this.registry = options.registry ?? new LeaseRegistry({ file: options.registryPath ?? leasesFile() });
    this.clock = options.clock ?? Date.now;
    this.onListenerError = options.onListenerError ?? ((error) => console.error('manito engine: event listener failed', error));
    this.handoverWaitMs = options.handoverWaitMs ?? 3000;
    this.nameWorkspace = options.nameWorkspace ?? worktreeNamer(this.workspace);
  }

  get strategy(): Strategy { return this.model.strategy; }
  get stack(): StackConfig { return this.stackConfig; }

  /** A listener that throws is reported to onListenerError; the others and the engine go on. */
  on(listener: (event: EngineEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const subscription = this.events.event((event) => {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    });
    return () => subscription.dispose();
  }

  get(service: string): Assignment | undefined { return this.assignments.get(service); }
  all(): Map<string, Assignment> { return new Map(this.assignments); }
  errorOf(service: string): string | undefined { return this.errors.get(service); }
  /** Every live lease of every host, for display (read without the lock). */
  leases(): Lease[] { return this.registry.read(); }

  allocateAll(): Promise<Map<string, Assignment>> {
    return this.serial(async () => {
      await this.run(this.model, async (planner, placements, others, orphans) => {
        // Every predecessor's port first, so no fresh placement takes one of them.
        for (const name of this.model.roots) if (!placements.has(name)) takeOver(name, this.model, planner, this.workspace, orphans, others, isProcessAlive);
        for (const name of this.model.roots) if (!placements.has(name)) await planner.place(name);
      });
      return this.all();
    });
  }

  reconfigure(stack: StackConfig): Promise<Map<string, Assignment>> {
    const config = assertValidStack(stack, { workspace: this.workspace });
    const model = buildModel(config);
    return this.serial(async () => {
      const old = this.model;
      await this.run(model, async (planner, placements) => {
        for (const [name, p] of [...placements]) {
          const svc = model.services.get(name);
          if (!svc || svc.root) { planner.unset(name); continue; }
          if (this.isRunning(name, model) || p.reason === 'detected_running') continue; // never yank a running service
          const samePreferred = String(old.services.get(name)?.preferred) === String(svc.preferred);
          const stillValid = svc.preferred.includes(p.port) || (!svc.strict && !svc.avoid.has(p.port) && samePreferred);
          if (!stillValid) await planner.place(name, { previousPort: p.port });
        }
        for (const name of model.roots) if (!placements.has(name)) await planner.place(name);
      });
      this.stackConfig = config;
      for (const name of [...this.running]) if (!model.services.has(name)) this.running.delete(name);
      return this.all();
    });
  }

  adopt(service: string, port: number, explanation: string): Promise<Assignment> {
    assertPort(port);
    const svc = this.known(service);
    if (typeof explanation !== 'string') throw new TypeError('adopt: `explanation` must be a string');
    // An inheritor found running is its root's port: adopting it adopts the root.
    const root = svc.root ?? service;
    return this.serial(async () => {
      await this.run(this.model, async (planner, placements, others) => {
        const lease = others.get(port);
        if (lease) throw new Error(`${port} is leased by ${lease.service} of ${lease.workspace} (Manito host pid ${lease.pid}); not adopting it as ${service}`);
        const previous = placements.get(root);
        const holder = planner.portOwner(port);
        planner.set(root, {
          port, reason: 'detected_running', skipped: [], given: explanation,
          ...(previous && previous.port !== port ? { previousPort: previous.port } : {}),
        });
        if (holder && holder !== root) {
          await planner.place(holder, { reason: 'moved', previousPort: port, displacedBy: { service: root, why: 'detected' } });
        }
      });
      this.running.add(service);
      return this.assignments.get(service)!;
    });
  }

  moveBack(service: string): Promise<Assignment> {
    const svc = this.known(service);
    if (svc.root) throw new RangeError(`${service} inherits its port from ${svc.root}; move ${svc.root} back instead`);
    const port = svc.preferred[0];
    if (port === undefined) throw new RangeError(`${service} has no preferred port to move back to`);
    return this.serial(async () => {
      await this.run(this.model, async (planner, placements) => {
        if (placements.get(service)?.port === port) return;
        const blocker = await planner.blocker(port, service);
        if (blocker) throw new Error(`${port} is not free (${blocker.kind === 'service' ? `${blocker.service} has it` : blocker.kind === 'lease' ? `leased by ${blocker.lease.service} of ${blocker.lease.workspace}` : 'something listens on it'}); ${service} stays where it is`);
        planner.set(service, { port, reason: 'preferred', skipped: [], given: `${service} moved back to ${port}, its first preferred port, free again` });
      });
      return this.assignments.get(service)!;
    });
  }

  setRunning(service: string, running: boolean): void {
    this.known(service);
    if (typeof running !== 'boolean') throw new TypeError('setRunning: `running` must be a boolean');
    if (running) this.running.add(service);
    else this.running.delete(service);
  }

  heal(): Promise<Assignment[]> {
    return this.serial(async () => {
      const healed: string[] = [];
      await this.run(this.model, async (planner, placements) => {
        for (const name of this.model.roots) {
          const p = placements.get(name);
          if (!p || this.isRunning(name, this.model)) continue;
          const stolenBy: Blocker | null = await planner.blocker(p.port, name);
          if (!stolenBy) continue;
          healed.push(name);
          await planner.place(name, { reason: 'moved', previousPort: p.port, stolenBy });
        }
      });
      const moved = new Set(healed.flatMap((n) => [n, ...this.model.inheritors.filter((i) => this.model.services.get(i)!.root === n)]));
      return [...this.assignments.values()].filter((a) => moved.has(a.service));
    });
  }

  /** Calls heal() every `intervalMs` on an unref()ed timer; returns the stop function. */
  startHealing(intervalMs: number, onError: (error: unknown) => void = () => {}): () => void {
    if (!Number.isInteger(intervalMs) || intervalMs < 10) throw new RangeError(`startHealing: intervalMs must be an integer >= 10, got ${intervalMs}`);
    clearInterval(this.healTimer);
    const timer = setInterval(() => { if (!this.disposed) this.heal().catch(onError); }, intervalMs);
    timer.unref(); // healing must never keep a CLI or a test process alive
    this.healTimer = timer;
    return () => clearInterval(timer);
  }

  dispose(options: { handOver?: boolean } = {}): Promise<void> {
    clearInterval(this.healTimer);
    return this.serial(async () => {
      this.disposed = true;
      await this.registry.releaseOwner(this.owner, { handOver: options.handOver === true });
      const gone = [...this.assignments.values()];
      this.assignments = new Map();
      this.placements = new Map();
      for (const a of gone) this.events.fire({ type: 'released', service: a.service, port: a.port });
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.disposed) throw new Error('the port engine was disposed');
      return fn();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private known(service: string) {
    if (typeof service !== 'string') throw new TypeError(`service must be a string, got ${typeof service}`);
    const svc = this.model.services.get(service);
    if (!svc) throw new RangeError(`unknown service "${service}"; the stack has ${[...this.model.services.keys()].join(', ')}`);
    return svc;
  }

  /** A root counts as running when it or anything inheriting its port runs. */
  private isRunning(root: string, model: StackModel): boolean {
    if (this.running.has(root)) return true;
    for (const name of model.inheritors) if (model.services.get(name)!.root === root && this.running.has(name)) return true;
    return false;
  }

  /**
   * One transaction: plan under the registry lock (a port is checked by a bind only when no lease
   * or service of the stack answers for it), explain (a holder is looked up only for a port that
   * was busy), write this engine's leases with their notes; then announce.
   */
  private async run(model: StackModel, mutate: Mutation): Promise<void> {
    const placements = new Map(this.placements); // a throw leaves the engine as it was
    let outcome: Announced | undefined;
    const predecessorWaitMs = this.handoverWaitMs;
    this.handoverWaitMs = 0;
    await this.registry.transact(async (leases, orphans, memory) => {
      // Checked inside the first transaction rather than by a read before it: no extra file read.
      if (predecessorWaitMs > 0 && leases.some((l) => l.workspace === this.workspace && l.pid !== process.pid)) return;
      const others = new Map<number, Lease>();
      // First lease of a port wins: a root's lease comes before its inheritors' in the file.
      for (const l of leases) if (l.owner !== this.owner && !others.has(l.port)) others.set(l.port, l);
      const running = new Set(model.roots.filter((r) => this.isRunning(r, model)));
      const outside = async (port: number): Promise<Blocker | null> => {
        const lease = others.get(port);
        if (lease) return { kind: 'lease', lease };
        return (await this.probe.isFree(port)) ? null : { kind: 'listener' };
      };
      const remembered = (name: string) => rememberedPort(memory, this.workspace, model, name);
      const planner = new Planner({ model, placements, running, outside, remembered });
      await mutate(planner, placements, others, orphans);
      const holders = new HolderCache((port) => this.probe.holder(port), this.nameWorkspace);
      outcome = await assignmentsOf({ model, placements, previous: this.placements, before: this.assignments, failures: planner.failures, holders });
      const since = new Date(this.clock()).toISOString();
      recordPlan(leases, orphans, model, outcome.assignments, { owner: this.owner, workspace: this.workspace, pid: process.pid, startTime: OWN_START_TIME, since });
      remember(memory, this.workspace, model, outcome.assignments, since);
    });
    if (!outcome) {
      await this.registry.awaitPredecessor(this.workspace, predecessorWaitMs);
      return this.run(model, mutate);
    }
    const before = this.assignments;
    this.model = model;
    this.placements = placements;
    this.assignments = outcome.assignments;
    this.errors.clear();
    for (const [name, error] of outcome.errors) this.errors.set(name, error);
    this.announce(before, outcome.assignments, model);
  }

  private announce(before: Map<string, Assignment>, next: Map<string, Assignment>, model: StackModel): void {
    for (const [name, a] of before) if (!next.has(name)) this.events.fire({ type: 'released', service: name, port: a.port });
    for (const name of [...model.roots, ...model.inheritors]) {
      const a = next.get(name);
      const old = before.get(name);
      if (a && a !== old) {
        if (old && old.port !== a.port) this.events.fire({ type: 'moved', assignment: a, from: old.port });
        else this.events.fire({ type: 'assigned', assignment: a });
      }
      const error = this.errors.get(name);
      if (error) this.events.fire({ type: 'allocationFailed', service: name, message: error });
    }
  }
}
