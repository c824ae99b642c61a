// Starts and stops the stack's services through a Launcher, in dependsOn order, each after its
// dependencies report healthy. Shared by the editor (TerminalLauncher) and `manito up` (ProcessLauncher).
//
// Usage (host):
//   const runner = new StackRunner({
//     workspace, launcher: new TerminalLauncher(connection),   // or new ProcessLauncher() headless
//     engine,                                                // PortEngineApi: get/all/setRunning/errorOf
//     config: () => currentStack,                            // the last good StackConfig
//     trusted: () => workspaceTrusted,
//     waitHealthy: (service, timeoutMs) => healthMonitor.waitHealthy(service, timeoutMs),
//     isDetected: (service) => snapshotOf(service).runner === 'detected',
//   });
//   runner.on((event) => core.runnerEvent(event));           // 'started' / 'stopped' (EventBody), 'stopping'
//   StartStack -> runner.startStack(); StopStack -> runner.stopStack();
//   Start/Stop/RestartService -> runner.startService(name) / stopService(name) / restartService(name);
//   TerminalExited -> terminalLauncher.terminalExited(params); runner.runnerOf(name) / pidOf(name) for the snapshot;
//   on shutdown: await runner.dispose().
import type { ActionResult } from '../../protocol/lsp';
import type { StackConfig } from '../../protocol/config';
import type { EventBody } from '../../protocol/model';
import type { PortEngineApi } from '../engine/engineApi';
import { dependencyOrder } from './dependencyOrder';
import { IdleTracker } from './idleTracker';
import type { ExitInfo, LaunchedService, Launcher } from './launcher';
import { buildLaunchSpec } from './launchEnv';

/** `stopping`: a stop was asked for; the health monitor stops expecting answers (not fed to subscribers). */
export type RunnerEvent = Extract<EventBody, { type: 'started' } | { type: 'stopped' }> | { type: 'stopping'; service: string };

export interface StackRunnerOptions {
  workspace: string;
  launcher: Launcher;
  engine: Pick<PortEngineApi, 'get' | 'all' | 'setRunning'> & Partial<Pick<PortEngineApi, 'errorOf'>>;
  /** The stack as it is now (re-read on every action, so a new manito.json applies to the next start). */
  config: () => StackConfig;
  trusted: () => boolean;
  /** Each service's URL for MANITO_<SERVICE>_URL (named first); none when absent. */
  urls?: () => ReadonlyMap<string, string>;
  /** Resolves true once the service is healthy, false after `timeoutMs`. */
  waitHealthy: (service: string, timeoutMs: number) => Promise<boolean>;
  /** A service found already running (not launched by us) is not started twice. */
  isDetected?: (service: string) => boolean;
  /**
   * Asked right before a launch: is something already listening on the service's port (its own
   * process from before a window reload, say)? True means it was adopted and must not be started.
   */
  adoptIfListening?: (service: string) => Promise<boolean>;
  /** How long a dependency may take to become healthy. Default 60 s. */
  healthTimeoutMs?: number;
  log?: (line: string) => void;
}

export const UNTRUSTED_MESSAGE =
  'This workspace is not trusted: Manito allocates and shows ports but runs no command from manito.json. Trust the workspace to start services.';

export class StackRunner {
  private readonly launched = new Map<string, LaunchedService>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(event: RunnerEvent) => void>();
  /** Bumped by every stop, so a start waiting on health gives up instead of launching after it. */
  private generation = 0;
  /** Resolves when the current generation ends, so a start waiting on health stops waiting. */
  private cancelled = deferred();
  private readonly operations = new IdleTracker();
  /** Services being stopped on purpose: a probe failing meanwhile is the stop, not a fault. */
  private readonly stopping = new Set<string>();

  constructor(private readonly options: StackRunnerOptions) {}

  on(listener: (event: RunnerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isRunning(service: string): boolean {
    return this.launched.has(service);
  }

  runnerOf(service: string): 'terminal' | 'process' | null {
    return this.launched.get(service)?.runner ?? null;
  }

  pidOf(service: string): number | null {
    return this.launched.get(service)?.pid ?? null;
  }

  containerOf(service: string): string | null {
    return this.launched.get(service)?.container ?? null;
  }

  /** Between a stop being asked for and the service being gone. */
  isStopping(service: string): boolean {
    return this.stopping.has(service);
  }

  running(): string[] {
    return [...this.launched.keys()];
  }

  /** Records a service already running under this runner's launcher (a terminal that outlived a host restart). */
  adopt(name: string, launched: LaunchedService): void {
    if (this.launched.get(name) === launched) return;
    this.launched.set(name, launched);
    this.options.engine.setRunning(name, true);
    this.emit({ type: 'started', service: name, runner: launched.runner, ...(launched.pid !== null ? { pid: launched.pid } : {}) });
    launched.onExit((info) => this.forget(name, launched, info));
  }

  /** Resolves when no start or stop is in progress (an exit event can precede the end of the stop that caused it). */
  whenIdle(): Promise<void> {
    return this.operations.whenIdle();
  }

  startStack(): Promise<ActionResult> {
    return this.operations.track(() => this.start(undefined));
  }

  startService(service: string): Promise<ActionResult> {
    const config = this.options.config().services[service];
    if (!config) return Promise.resolve(fail(`Unknown service "${service}".`));
    if (this.options.trusted()) {
      if (this.launched.has(service)) return Promise.resolve({ ok: true, message: `${service} is already running.` });
      if (this.options.isDetected?.(service)) return Promise.resolve({ ok: true, message: `${service} is already running (found running, not started by Manito).` });
      if (!config.command) return Promise.resolve(fail(`${service} has no "command" in manito.json; Manito only allocates and watches its port.`));
    }
    return this.operations.track(() => this.start(service));
  }

  stopService(service: string): Promise<ActionResult> {
    return this.operations.track(() => this.stopOne(service));
  }

  restartService(service: string): Promise<ActionResult> {
    return this.operations.track(async () => {
      if (!this.options.trusted()) return fail(UNTRUSTED_MESSAGE);
      const stopped = await this.stopOne(service);
      if (!stopped.ok) return stopped;
      return this.start(service);
    });
  }

  stopStack(): Promise<ActionResult> {
    return this.operations.track(() => this.stopAll());
  }

  /**
   * For host shutdown: stops what runs as a child process of the host, and any start in progress.
   * Terminals belong to the editor and outlive the host; the next host re-adopts them.
   */
  async dispose(): Promise<void> {
    await this.operations.track(() => this.stopAll((launched) => launched.runner === 'process'));
    await this.whenIdle();
  }

  private async stopOne(service: string): Promise<ActionResult> {
    const launched = this.launched.get(service);
    if (!launched) {
      if (this.options.isDetected?.(service)) return fail(`${service} was already running when Manito found it; stop it where it was started.`);
      return { ok: true, message: `${service} is not running.` };
    }
    await this.stopLaunched(service, launched);
    return { ok: true, message: `Stopped ${service}.` };
  }

  private async stopAll(which: (launched: LaunchedService) => boolean = () => true): Promise<ActionResult> {
    this.generation++;
    this.cancelled.resolve();
    this.cancelled = deferred();
    const names = [...this.launched].filter(([, launched]) => which(launched)).map(([name]) => name);
    if (names.length === 0) return { ok: true, message: 'No service started by Manito is running.' };
    let order: string[];
    try {
      order = dependencyOrder(this.options.config()).reverse().filter((n) => names.includes(n));
    } catch {
      order = [];
    }
    // Dependents first; anything the current config no longer names goes last.
    for (const name of names) if (!order.includes(name)) order.push(name);
    for (const name of order) {
      const launched = this.launched.get(name);
      if (launched) await this.stopLaunched(name, launched);
    }
    return { ok: true, message: `Stopped ${order.join(', ')}.` };
  }

  private async start(target: string | undefined): Promise<ActionResult> {
    const { trusted, config, engine, isDetected } = this.options;
    if (!trusted()) return fail(UNTRUSTED_MESSAGE);
    const stack = config();
    let order: string[];
    try {
      order = dependencyOrder(stack, target === undefined ? undefined : [target]);
    } catch (error) {
      return fail((error as Error).message);
    }
    const generation = this.generation;
    const started: string[] = [];
    const skipped: string[] = [];
    for (const name of order) {
      const service = stack.services[name]!;
      // Served by its parent's process on the parent's port (a WebSocket on the API server):
      // starting the parent starts it, so there is nothing to skip or report.
      if (!service.command && service.inheritFrom) continue;
      const alreadyRunning = this.launched.has(name) || isDetected?.(name);
      if (alreadyRunning || !service.command) {
        skipped.push(`${name} (${alreadyRunning ? 'already running' : 'no command'})`);
        continue;
      }
      for (const dep of service.dependsOn ?? []) {
        const timeoutMs = this.options.healthTimeoutMs ?? 60_000;
        this.options.log?.(`Waiting for ${dep} to be healthy before starting ${name}`);
        const cancelled = this.cancelled.promise;
        const healthy = await Promise.race([this.options.waitHealthy(dep, timeoutMs), cancelled.then(() => false)]);
        if (generation !== this.generation) return fail(`Start of ${name} cancelled: the stack was stopped.`);
        if (!healthy) {
          return fail(summary(started, skipped, `${name} not started: its dependency ${dep} did not become healthy within ${Math.round(timeoutMs / 1000)} s.`));
        }
      }
      const allocationError = engine.errorOf?.(name);
      if (allocationError) return fail(summary(started, skipped, `${name} not started: ${allocationError}`));
      if (await this.options.adoptIfListening?.(name)) {
        skipped.push(`${name} (already listening on its port)`);
        continue;
      }
      try {
        await this.launch(name, stack);
      } catch (error) {
        return fail(summary(started, skipped, `${name} failed to start: ${(error as Error).message}`));
      }
      if (generation !== this.generation) {
        // Stopped while it was being launched: the stop did not see it, so undo it here.
        const launched = this.launched.get(name);
        if (launched) await this.stopLaunched(name, launched);
        return fail(`Start of ${name} cancelled: the stack was stopped.`);
      }
      started.push(name);
    }
    return { ok: true, message: summary(started, skipped, started.length === 0 ? 'Nothing to start.' : '') };
  }

  private async launch(name: string, stack: StackConfig): Promise<void> {
    const inFlight = this.starting.get(name);
    if (inFlight) return inFlight;
    const run = (async () => {
      const ports = new Map<string, number>();
      for (const [service, assignment] of this.options.engine.all()) ports.set(service, assignment.port);
      const spec = buildLaunchSpec({
        service: name, config: stack.services[name]!, ports, workspace: this.options.workspace, services: Object.keys(stack.services),
        urls: this.options.urls?.(),
      });
      // Running from now on: a service listening before it is healthy (or before the launcher
      // answers) must not look stolen to self-healing and be moved off its port.
      this.options.engine.setRunning(name, true);
      const launched = await this.options.launcher.launch(spec).catch((error: unknown) => {
        this.options.engine.setRunning(name, false);
        throw error;
      });
      this.options.log?.(`Started ${name} (${launched.runner}${launched.pid !== null ? `, pid ${launched.pid}` : ''}): ${spec.command}`);
      this.adopt(name, launched);
    })();
    this.starting.set(name, run);
    try {
      await run;
    } finally {
      this.starting.delete(name);
    }
  }

  /** stop() resolves once the tree is gone; the exit event may trail it, so record the stop here too. */
  private async stopLaunched(name: string, launched: LaunchedService): Promise<void> {
    this.stopping.add(name);
    this.emit({ type: 'stopping', service: name });
    try {
      await launched.stop();
    } finally {
      this.stopping.delete(name);
    }
    this.forget(name, launched, { code: null });
  }

  private forget(name: string, launched: LaunchedService, info: ExitInfo): void {
    if (this.launched.get(name) !== launched) return;
    this.launched.delete(name);
    this.options.engine.setRunning(name, false);
    this.options.log?.(`${name} exited${info.code !== null ? ` with code ${info.code}` : info.signal ? ` (${info.signal})` : ''}`);
    this.emit({ type: 'stopped', service: name, ...(info.code !== null ? { exitCode: info.code } : {}) });
  }

  private emit(event: RunnerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log?.(`StackRunner listener failed: ${(error as Error).message}`);
      }
    }
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

function fail(message: string): ActionResult {
  return { ok: false, message };
}

function summary(started: string[], skipped: string[], tail: string): string {
  const parts: string[] = [];
  if (started.length) parts.push(`Started ${started.join(', ')}.`);
  if (skipped.length) parts.push(`Skipped ${skipped.join(', ')}.`);
  if (tail) parts.push(tail);
  return parts.join(' ');
}
