// The port engine: owns one workspace's stack, its ports and their leases. Every change runs as
// one registry transaction (scan the machine once, plan, rewrite this engine's leases), then is
// explained and announced as events. Calls are serialized, so callers never see a half state.
import type { StackConfig, Strategy } from '../../protocol/config';
import { leasesFile } from '../../protocol/discovery';
import { assertValidStack } from '../config/validateStack';
import type { Assignment, EngineEvent, PortEngineApi, PortProbe } from './engineApi';
import { assignmentsOf } from './assignments';
import { explainFailure, HolderCache, type Explained } from './explain';
import { awaitPredecessor, LeaseNotes, takeOver } from './handover';
import { recordPlan } from './leaseRecords';
import { LeaseRegistry, newOwnerId, type Lease } from './leaseRegistry';
import { outsideOf, Planner, type Blocker, type Placement, type Skip } from './planner';
import { defaultPortProbe } from './portProbe';
import { assertPort } from './portNumbers';
import { buildModel, type StackModel } from './stackModel';
import { TypedEmitter } from './typedEmitter';

export interface PortEngineOptions {
  /** Validated here: an invalid stack throws InvalidStackError listing every problem. */
  stack: StackConfig;
  /** Recorded in every lease, so other hosts can say whose port it is. */
  workspace: string;
  /** The shared lease file. Default: protocol leasesFile() (honours MANITO_STATE_DIR). */
  registryPath?: string;
  /** Instead of `registryPath`: a registry built elsewhere (tests inject pid liveness through it). */
  registry?: LeaseRegistry;
  /** Default: /proc/net on Linux, bind attempts elsewhere. */
  probe?: PortProbe;
  /** For lease timestamps. */
  clock?: () => number;
  /** A throwing event listener is reported here; default console.error. */
  onListenerError?: (error: unknown) => void;
  /** How long the first allocation waits for another live host of this workspace to hand its leases over. Default 3000. */
  handoverWaitMs?: number;
}

/** `orphans`: leases dead or departed hosts left; the engine of their workspace may take them over. */
type Mutation = (planner: Planner, placements: Map<string, Placement>, others: Map<number, Lease>, orphans: Lease[]) => Promise<void>;

export class PortEngine implements PortEngineApi {
  /** This engine's lease owner id; several engines may share one process. */
  readonly owner = newOwnerId();
  readonly workspace: string;
  private readonly registry: LeaseRegistry;
  private readonly probe: PortProbe;
  private readonly clock: () => number;
  private readonly events: TypedEmitter<EngineEvent>;
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
  private readonly notes: LeaseNotes;
  private notesPending = false;

  constructor(options: PortEngineOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('PortEngine: options must be an object');
    if (typeof options.workspace !== 'string') throw new TypeError('PortEngine: `workspace` must be a string');
    this.probe = options.probe ?? defaultPortProbe();
    this.stackConfig = assertValidStack(options.stack);
    this.model = buildModel(this.stackConfig);
    this.workspace = options.workspace;
    this.registry = options.registry ?? new LeaseRegistry({ file: options.registryPath ?? leasesFile() });
    this.clock = options.clock ?? Date.now;
    this.events = new TypedEmitter<EngineEvent>(options.onListenerError);
    this.handoverWaitMs = options.handoverWaitMs ?? 3000;
    this.notes = new LeaseNotes(this.registry, this.owner);
  }

  get strategy(): Strategy { return this.model.strategy; }
  get stack(): StackConfig { return this.stackConfig; }

  on(listener: (event: EngineEvent) => void): () => void { return this.events.on(listener); }
  get(service: string): Assignment | undefined { return this.assignments.get(service); }
  all(): Map<string, Assignment> { return new Map(this.assignments); }
  errorOf(service: string): string | undefined { return this.errors.get(service); }
  /** Every live lease of every host, for display (read without the lock). */
  leases(): Lease[] { return this.registry.read(); }

  allocateAll(): Promise<Map<string, Assignment>> {
    return this.serial(async () => {
      // Usually the first preferred port is the answer: check those at once, the rest on demand.
      const wanted = this.model.roots.filter((n) => !this.placements.has(n)).flatMap((n) => this.model.services.get(n)!.preferred.slice(0, 1));
      await this.run(this.model, async (planner, placements, others, orphans) => {
        // Every predecessor's port first, so no fresh placement takes one of them.
        for (const name of this.model.roots) if (!placements.has(name)) takeOver(name, this.model, planner, this.workspace, orphans, others);
        for (const name of this.model.roots) if (!placements.has(name)) await planner.place(name);
      }, wanted);
      return this.all();
    });
  }

  reconfigure(stack: StackConfig): Promise<Map<string, Assignment>> {
    const config = assertValidStack(stack);
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
      }, model.roots.flatMap((n) => model.services.get(n)!.preferred.slice(0, 1)));
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
      }, [...this.placements].filter(([n]) => !this.isRunning(n, this.model)).map(([, p]) => p.port));
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
      if (options.handOver) await this.notes.record(this.assignments);
      await this.registry.releaseOwner(this.owner, { handOver: options.handOver === true });
      const gone = [...this.assignments.values()];
      this.assignments = new Map();
      this.placements = new Map();
      for (const a of gone) this.events.emit({ type: 'released', service: a.service, port: a.port });
    });
  }

  /**
   * Notes that needed a /proc lookup to word are written in a second, short transaction, off the
   * allocation's path: they only matter to a successor after this host dies or hands over, and
   * dispose() writes them before handing over.
   */
  private scheduleNotes(): void {
    if (this.notesPending) return;
    this.notesPending = true;
    setImmediate(() => {
      this.notesPending = false;
      if (!this.disposed) this.serial(() => this.notes.record(this.assignments)).catch(() => undefined);
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

  /** One transaction: plan under the registry lock, write this engine's leases, then explain and announce. */
  private async run(model: StackModel, mutate: Mutation, prefetch: readonly number[] = []): Promise<void> {
    const placements = new Map(this.placements); // a throw leaves the engine as it was
    let failures = new Map<string, Skip[]>();
    /** Sentences composed for the leases' notes, reused for the assignments. */
    let composed = new Map<string, Explained>();
    const predecessorWaitMs = this.handoverWaitMs;
    this.handoverWaitMs = 0;
    let predecessor = false;
    await this.registry.transact(async (leases, orphans) => {
      // Checked inside the first transaction rather than by a read before it: no extra file read.
      if (predecessorWaitMs > 0 && leases.some((l) => l.workspace === this.workspace && l.pid !== process.pid)) {
        predecessor = true;
        return;
      }
      const others = new Map<number, Lease>();
      // First lease of a port wins: a root's lease comes before its inheritors' in the file.
      for (const l of leases) if (l.owner !== this.owner && !others.has(l.port)) others.set(l.port, l);
      const scan = this.probe.scan ? await this.probe.scan() : null;
      // The ports the plan will most likely ask about, bound together rather than one by one,
      // never a port another host leased.
      if (scan?.prefetch && prefetch.length) await scan.prefetch(prefetch.filter((p) => !others.has(p)));
      const running = new Set(model.roots.filter((r) => this.isRunning(r, model)));
      const planner = new Planner({ model, placements, running, ...outsideOf(others, scan, this.probe) });
      await mutate(planner, placements, others, orphans);
      failures = planner.failures;
      const since = new Date(this.clock()).toISOString();
      composed = recordPlan(leases, orphans, model, placements, { owner: this.owner, workspace: this.workspace, since, notes: this.notes });
    });
    if (predecessor) {
      await awaitPredecessor(() => this.registry.read(), this.workspace, predecessorWaitMs);
      return this.run(model, mutate, prefetch);
    }
    await this.commit(model, placements, failures, composed);
    this.scheduleNotes();
  }

  private async commit(model: StackModel, placements: Map<string, Placement>, failures: Map<string, Skip[]>, composed: ReadonlyMap<string, Explained>): Promise<void> {
    const holders = new HolderCache((port) => this.probe.holder(port));
    const before = this.assignments;
    const next = await assignmentsOf({ model, placements, previous: this.placements, before, composed, holders });
    this.errors.clear();
    for (const [name, skipped] of failures) this.errors.set(name, await explainFailure(name, skipped, model.services.get(name)!.strict, holders));
    for (const name of model.inheritors) {
      const root = model.services.get(name)!.root!;
      if (!next.has(name) && this.errors.has(root)) this.errors.set(name, `${name} inherits its port from ${root}, which has none: ${this.errors.get(root)}`);
    }
    this.model = model;
    this.placements = placements;
    this.assignments = next;
    this.announce(before, next, model);
  }

  private announce(before: Map<string, Assignment>, next: Map<string, Assignment>, model: StackModel): void {
    for (const [name, a] of before) if (!next.has(name)) this.events.emit({ type: 'released', service: name, port: a.port });
    for (const name of [...model.roots, ...model.inheritors]) {
      const a = next.get(name);
      const old = before.get(name);
      if (a && a !== old) {
        if (old && old.port !== a.port) this.events.emit({ type: 'moved', assignment: a, from: old.port });
        else this.events.emit({ type: 'assigned', assignment: a });
      }
      const error = this.errors.get(name);
      if (error) this.events.emit({ type: 'allocationFailed', service: name, message: error });
    }
  }
}
