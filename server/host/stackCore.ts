// The host's core: composes the config, the port engine, detection, the health monitor and the
// service runner into one StackSnapshot, and tells subscribers (LSP client, feed) about every
// change: events as they happen, snapshots coalesced. How each service reads is in serviceView.ts.
import { Emitter } from 'vscode-jsonrpc';
import type { StackConfig } from '../../protocol/config';
import { hostRun } from '../../protocol/instances';
import { brokenConfigNote, overallHealth, type ManitoEvent, type OverallHealth, type StackSnapshot } from '../../protocol/model';
import type { ConfigState } from '../config/loadConfig';
import { toConfigError } from '../config/configPositions';
import { detectRunning, kindOf, serviceRoots, type Detection, type Refusal } from '../detect/detectRunning';
import { claimPort, type ClaimResult } from '../detect/portClaim';
import type { EngineEvent, PortEngineApi } from '../engine/engineApi';
import { engineEventBody } from './engineEvents';
import type { ProcessRecord } from '../proc/processIdentity';
import { adoptionText, refusalText } from './adoptionText';
import { reportConfig } from './configReport';
import { busyPreferredPorts, listensOn } from './busyPorts';
import type { RunnerEvent } from '../launch/stackRunner';
import { EventLog } from './eventLog';
import { startHolderWatch, type HolderWatch } from './holderWatch';
import { withNamedUrls } from '../proxy/namedUrlViews';
import { withInstances } from '../instances/instanceViews';
import { monitoredService, servedBy, serviceView, type RunnerView, type ServiceSources } from './serviceView';
import { withWiring } from './serviceWiring';
import type { StackCoreOptions } from './stackCoreOptions';

export type { RunnerView } from './serviceView';
export type { StackCoreOptions } from './stackCoreOptions';

export class StackCore {
  readonly events = new EventLog();
  private engine!: PortEngineApi;
  private runner: RunnerView | undefined;
  private readonly detected = new Map<string, Detection>();
  private readonly snapshots = new Emitter<StackSnapshot>();
  private readonly disposers: Array<() => void> = [];
  private pending: NodeJS.Timeout | undefined;
  private healTimer: NodeJS.Timeout | undefined;
  private holders: HolderWatch | undefined;
  private lastOverall: OverallHealth | undefined;
  private reconfiguring: Promise<void> = Promise.resolve();
  private started = false;
  private changes = 0;

  constructor(private readonly options: StackCoreOptions) {}

  get stack(): StackConfig { return this.options.config.state.stack; }
  get portEngine(): PortEngineApi { return this.engine; }

  setRunner(runner: RunnerView): void {
    this.runner = runner;
    this.changed();
  }

  /** Detects running services, allocates every port, starts monitoring. Logs the seed's lines. */
  async start(): Promise<void> {
    const { log, config } = this.options;
    const stack = this.stack;
    log.info(`🔧 Initializing dynamic port manager for ${stack.environment ?? 'development'} environment...`);
    this.reportConfig(config.state);
    this.engine = this.options.createEngine(stack);
    this.disposers.push(this.engine.on((e) => this.onEngineEvent(e)));
    // Adopt first: the engine's allocateAll keeps placements it already has, so an adopted service
    // is never first given a fallback port and then moved.
    const names = Object.keys(stack.services).filter((n) => !hostRun(n, stack));
    await this.adopt(await this.detect(stack, names, this.options.listening?.() ?? await busyPreferredPorts(stack, names)));
    await this.engine.allocateAll();
    // A port taken over from this workspace's previous host may have its service still listening
    // (`manito up --detach`, a host that could not end it): claim it now, before self-healing calls it stolen.
    for (const name of Object.keys(stack.services)) {
      const port = this.engine.get(name)?.port;
      if (port !== undefined && !this.detected.has(name) && !stack.services[name]!.inheritFrom && await listensOn(port, this.options.listening)) await this.claimPort(name, 'beforeLaunch');
    }
    for (const name of Object.keys(stack.services)) {
      const a = this.engine.get(name);
      const error = this.engine.errorOf(name);
      // The seed's line, with the sentence when the port is not simply the service's own.
      if (a) log.info(`✅ ${name}: port ${a.port} (${a.reason})${a.reason === 'preferred' || a.reason === 'inherited' ? '' : ` — ${a.explanation}`}`);
      else if (error) log.error(`❌ ${name}: ${error}`);
    }
    log.info('✅ Dynamic port configuration complete');
    this.syncHealth();
    this.disposers.push(this.options.health.onTransition((t) => {
      this.events.push({ type: 'health', service: t.service, from: t.from, to: t.to, ...(t.detail ? { detail: t.detail } : {}) });
      // Running services are never moved by self-healing.
      if (t.to === 'healthy') this.engine.setRunning(t.service, true);
      else if (t.to === 'stopped' && !this.runner?.runnerOf(t.service)) this.engine.setRunning(t.service, false);
      this.changed();
    }));
    this.disposers.push(this.options.health.onSample(() => this.changed()));
    this.disposers.push(config.onChange((state, previous) => {
      this.reconfiguring = this.reconfiguring.then(() => this.applyConfig(state, previous)).catch((error) => {
        log.error('Applying the new manito.json failed', error);
      });
    }));
    this.disposers.push(this.events.on(() => this.changed()));
    this.healTimer = setInterval(() => {
      this.heal().catch((error) => log.error('Self-healing failed', error));
    }, this.options.healIntervalMs ?? 5000);
    this.healTimer.unref();
    this.watchHolders();
    this.started = true;
    this.changed();
  }

  /** A runner started or stopped a service: the health monitor learns it, subscribers see the event. */
  runnerEvent(event: RunnerEvent): void {
    if (event.type === 'stopping') return this.syncHealth();
    if (event.type === 'started') this.detected.delete(event.service);
    this.events.push(event);
    // Unasked, it is a crash: unhealthy at once, with what the launcher saw (the monitor ignores a stop on purpose).
    const detail = event.type === 'stopped' ? `exited${event.exitCode !== undefined ? ` with code ${event.exitCode}` : ''}` : '';
    for (const name of detail ? Object.keys(this.stack.services) : []) if (servedBy(name, this.stack) === event.service) this.options.health.exited(name, detail);
    this.syncHealth();
  }

  snapshot(): StackSnapshot {
    const state = this.options.config.state;
    const stack = state.stack;
    const sources = this.sources();
    return {
      workspace: this.options.workspace,
      configSource: state.source,
      configOrigin: state.origin,
      configPath: state.exists ? state.path : null,
      environment: stack.environment ?? 'development',
      strategy: stack.strategy ?? 'minimal',
      host: this.options.hostInfo(),
      services: withInstances(withNamedUrls(Object.keys(stack.services).map((name) => withWiring(serviceView(name, stack, sources), stack, (s) => this.engine?.get(s)?.port, state.provenance?.[name])), this.options.namedUrls?.() ?? {}), stack),
      configErrors: state.problems.map(toConfigError),
    };
  }

  onSnapshot(listener: (snapshot: StackSnapshot) => void): () => void {
    const subscription = this.snapshots.event(listener);
    return () => subscription.dispose();
  }

  onEvent(listener: (event: ManitoEvent) => void): () => void {
    return this.events.on(listener);
  }

  /** Bumped on every change; lets readers cache what they derive from the snapshot. */
  get version(): number { return this.changes; }

  /** Schedules one snapshot push for everything that changes within the coalescing window. */
  changed(): void {
    this.changes++;
    if (!this.started || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const snapshot = this.snapshot();
      this.snapshots.fire(snapshot);
    }, this.options.coalesceMs ?? 30);
    this.pending.unref();
  }

  overall(snapshot = this.snapshot()): { health: OverallHealth; message: string; changed: boolean } {
    const health = overallHealth(snapshot);
    const counts = new Map<string, number>();
    for (const s of snapshot.services) counts.set(s.health, (counts.get(s.health) ?? 0) + 1);
    const parts = [...counts].map(([state, n]) => `${n} ${state}`);
    const errors = snapshot.configErrors.length;
    const message = (errors ? `${brokenConfigNote(errors, snapshot.configSource)}. ` : '') + parts.join(', ');
    const changed = health !== this.lastOverall;
    this.lastOverall = health;
    return { health, message, changed };
  }

  isDetected(service: string): boolean {
    return this.detected.has(service) && !this.runner?.runnerOf(service);
  }

  /** Adopted under rule (b): found running, not started by Manito; Stop asks first. */
  isExternal(service: string): boolean {
    return this.isDetected(service) && this.detected.get(service)!.how === 'external';
  }

  detection(service: string): Detection | undefined { return this.detected.get(service); }

  /** Before a launch (adopt by proof, or move off a foreign holder) and after it (verify): detect/portClaim.ts. */
  async claimPort(service: string, when: 'beforeLaunch' | 'afterLaunch', started: readonly ProcessRecord[] = [], quick = false): Promise<ClaimResult> {
    const result = await claimPort({
      service, when, quick, engine: this.engine, kind: kindOf(this.stack, service),
      roots: serviceRoots(this.stack, service, this.options.workspace),
      started: [...started, ...(this.options.records?.liveOf(service) ?? [])],
      onForeign: (event) => { this.options.log.warn(event.message); this.events.push(event); },
    });
    if (result.type === 'adopted') await this.adopt([result.detection]);
    return result;
  }

  /** A listener on the port of a service we did not start may be the service, started by hand since
   *  the last probe: probe it now, so a healthy answer marks it running before healing moves it. */
  private async heal(): Promise<void> {
    await Promise.all(Object.keys(this.stack.services).map(async (name) => {
      const port = this.engine.get(name)?.port;
      if (port === undefined || this.runner?.runnerOf(name) || this.detected.has(name) || this.options.health.state(name)?.health === 'healthy') return;
      if (await listensOn(port, this.options.listening)) await this.options.health.checkNow(name);
    }));
    await this.engine.heal();
  }

  /** `handOver`: leave the leases to the next host of this workspace instead of releasing them. */
  async dispose(options: { handOver?: boolean } = {}): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    if (this.healTimer) clearInterval(this.healTimer);
    for (const dispose of this.disposers.splice(0)) dispose();
    this.snapshots.dispose();
    await this.reconfiguring;
    await this.engine?.dispose(options);
  }

  /** What serviceView and monitoredService read; built per call, since the engine and runner arrive late. */
  private sources(): ServiceSources {
    return { engine: this.engine, health: this.options.health, runner: this.runner, detected: this.detected, freed: (name) => this.holders?.get(name) };
  }

  /** Says so when the process that forced a move has exited and the preferred port is free again (holderWatch.ts). */
  private watchHolders(): void {
    const { watch, stop } = startHolderWatch({ assignments: () => this.engine.all(), stack: () => this.stack,
      intervalMs: this.options.holderWatchMs ?? 1000, log: this.options.log, events: this.events, changed: () => this.changed() });
    this.holders = watch;
    this.disposers.push(stop);
  }

  private syncHealth(): void {
    if (!this.engine) return;
    const stack = this.stack;
    const sources = this.sources();
    this.options.health.setServices(Object.keys(stack.services).map((name) => monitoredService(name, stack, sources)));
    this.changed();
  }

  private async detect(stack: StackConfig, services: string[], listening?: Set<number>): Promise<Detection[]> {
    const exclude = new Set<number>([this.options.hostInfo().port]);
    for (const [name, a] of this.engine?.all() ?? []) if (!services.includes(name)) exclude.add(a.port);
    try {
      return await (this.options.detect ?? detectRunning)(stack, {
        workspace: this.options.workspace, only: services, exclude, records: this.options.records?.live() ?? [],
        refused: (r) => this.refused(r), ...(listening ? { listening: () => listening } : {}),
      });
    } catch (error) {
      this.options.log.error('Detection of running services failed', error);
      return [];
    }
  }

  private refused(r: Refusal): void {
    const { message, event } = refusalText(r);
    this.options.log.warn(message);
    this.events.push(event);
  }

  private async adopt(detections: Detection[]): Promise<void> {
    for (const d of detections) {
      const text = adoptionText(d);
      this.options.log.info(text.logLine);
      try {
        await this.engine.adopt(d.service, d.port, text.explanation);
      } catch (error) {
        this.options.log.error(`Could not adopt ${d.service} on ${d.port}`, error);
        continue;
      }
      this.detected.set(d.service, d);
      this.engine.setRunning(d.service, true);
      this.events.push(text.event);
    }
  }

  private async applyConfig(state: ConfigState, previous: ConfigState): Promise<void> {
    this.reportConfig(state);
    if (state.stack !== previous.stack) {
      const before = new Set(Object.keys(previous.stack.services));
      const added = Object.keys(state.stack.services).filter((n) => !before.has(n) && !hostRun(n, state.stack));
      for (const name of this.detected.keys()) if (!state.stack.services[name]) this.detected.delete(name);
      const detections = added.length ? await this.detect(state.stack, added) : [];
      await this.engine.reconfigure(state.stack);
      await this.adopt(detections);
      this.syncHealth();
    }
    this.changed();
  }

  private reportConfig(state: ConfigState): void {
    const event = reportConfig(state, this.options.log);
    if (this.started || !event.ok || state.source === 'file') this.events.push(event);
  }

  private onEngineEvent(e: EngineEvent): void {
    const body = engineEventBody(e);
    if (body) this.events.push(body);
    if (this.started && (e.type === 'assigned' || e.type === 'moved' || e.type === 'released')) this.syncHealth();
  }
}
