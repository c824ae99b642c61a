// Starts and stops the stack's services through a Launcher, in dependsOn order, each after its
// dependencies report healthy and own their ports. One path for the editor and `manito up` (runHost.ts).
import type { ActionResult } from '../../protocol/lsp';
import type { StackConfig } from '../../protocol/config';
import { dependencyOrder } from './dependencyOrder';
import { IdleTracker } from './idleTracker';
import type { ExitInfo, LaunchedService } from './launcher';
import { isFront, instancesOf } from '../../protocol/instances';
import { buildLaunchSpec, frontSpec } from './launchEnv';
import { deferred, fail, summary } from './runnerResults';
import { LookNow, verifyLaunch } from './listenerWatch';
import { UNTRUSTED_MESSAGE, type RunnerEvent, type StackRunnerOptions } from './stackRunnerOptions';
export { UNTRUSTED_MESSAGE, type RunnerEvent, type StackRunnerOptions } from './stackRunnerOptions';

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
  /** Per service: resolves true once its listener is proven its own (false if it never was). */
  private readonly verified = new Map<string, Promise<boolean>>();
  /** Per service: asks its verification for a look now, once a dependent saw it answer. */
  private readonly lookNow = new Map<string, LookNow>();
  /** Launches ended on purpose (a stop): their exit is not a lost race to recover from. */
  private readonly stoppedOnPurpose = new WeakSet<LaunchedService>();

  constructor(private readonly options: StackRunnerOptions) {}

  on(listener: (event: RunnerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isRunning(service: string): boolean { return this.launched.has(service); }
  runnerOf(service: string): 'process' | null { return this.launched.get(service)?.runner ?? null; }
  pidOf(service: string): number | null { return this.launched.get(service)?.pid ?? null; }
  containerOf(service: string): string | null { return this.launched.get(service)?.container ?? null; }
  containerPortOf(service: string): number | null { return this.options.launcher.containerPortOf?.(service) ?? null; }
  running(): string[] { return [...this.launched.keys()]; }
  /** Between a stop being asked for and the service being gone. */
  isStopping(service: string): boolean { return this.stopping.has(service); }

  /** Records a service already running under this runner's launcher (a terminal that outlived a host restart). */
  adopt(name: string, launched: LaunchedService): void {
    if (this.launched.get(name) === launched) return;
    this.launched.set(name, launched);
    this.options.engine.setRunning(name, true);
    this.emit({ type: 'started', service: name, runner: launched.runner, ...(launched.pid !== null ? { pid: launched.pid } : {}) });
    launched.onExit((info) => this.forget(name, launched, info));
  }

  /** Resolves when no start or stop is in progress (an exit event can precede the end of the stop that caused it). */
  whenIdle(): Promise<void> { return this.operations.whenIdle(); }

  startStack(): Promise<ActionResult> {
    return this.operations.track(() => this.start(undefined));
  }

  startService(service: string): Promise<ActionResult> {
    const config = this.options.config().services[service];
    if (!config) return Promise.resolve(fail(`Unknown service "${service}".`));
    if (this.options.trusted()) {
      if (this.launched.has(service)) return Promise.resolve({ ok: true, message: `${service} is already running.` });
      if (this.options.isDetected?.(service)) return Promise.resolve({ ok: true, message: `${service} is already running (found running, not started by Manito).` });
      if (!config.command && instancesOf(service, this.options.config()).length === 0) return Promise.resolve(fail(`${service} has no "command" in manito.json; Manito only allocates and watches its port.`));
    }
    return this.operations.track(() => this.start(service));
  }

  /** `force`: the user confirmed stopping an external process. */
  stopService(service: string, options: { force?: boolean } = {}): Promise<ActionResult> {
    return this.operations.track(() => this.stopOne(service, options.force === true));
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

  /** The user keeps the services running after the host ends (`manito up --detach`): forget them unstopped. */
  detach(): void { this.launched.clear(); }

  /**
   * For host shutdown: stops what runs as a child process of the host, and any start in progress.
   * Terminals belong to the editor and outlive the host; the next host re-adopts them.
   */
  async dispose(): Promise<void> {
    await this.operations.track(() => this.stopAll());
    await this.whenIdle();
  }

  private async stopOne(service: string, force = false): Promise<ActionResult> {
    const launched = this.launched.get(service);
    // A multi-instance service stops as a whole: its front first (it sends them nothing while they go), then each instance.
    const instances = instancesOf(service, this.options.config()).filter((name) => this.launched.has(name));
    if (instances.length > 0) {
      if (launched) await this.stopLaunched(service, launched);
      for (const name of instances) { const one = this.launched.get(name); if (one) await this.stopLaunched(name, one); }
      return { ok: true, message: `Stopped ${service}.` };
    }
    if (!launched) {
      const external = this.options.external?.(service);
      if (external && this.options.stopExternal) {
        const who = `pid ${external.pid}: ${external.command.slice(0, 120)}`;
        // Not started by Manito: kill it only when the user said so, naming what will be killed.
        if (!force) return { ok: false, message: `${service} is external (found running, not started by Manito; ${who}). Stop it anyway?`, confirm: { pid: external.pid, command: external.command } };
        await this.options.stopExternal(external.pid, external.startTime);
        return { ok: true, message: `Stopped ${service} (external, ${who}).` };
      }
      if (this.options.isDetected?.(service)) return fail(`${service} was already running when Manito found it; stop it where it was started.`);
      return { ok: true, message: `${service} is not running.` };
    }
    await this.stopLaunched(service, launched);
    return { ok: true, message: `Stopped ${service}.` };
  }

  private async stopAll(): Promise<ActionResult> {
    this.generation++;
    this.cancelled.resolve();
    this.cancelled = deferred();
    const names = [...this.launched.keys()];
    if (names.length === 0) return { ok: true, message: 'No service started by Manito is running.' };
    let order: string[] = [];
    try { order = dependencyOrder(this.options.config()).reverse().filter((n) => names.includes(n)); } catch { /* a broken config: the order below */ }
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
      order = dependencyOrder(stack, target === undefined ? undefined : [...instancesOf(target, stack), target]);
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
      if (alreadyRunning || (!service.command && !isFront(service))) {
        skipped.push(`${name} (${alreadyRunning ? 'already running' : 'no command'})`);
        continue;
      }
      for (const dep of service.dependsOn ?? []) {
        const timeoutMs = this.options.healthTimeoutMs ?? 60_000;
        this.options.log?.(`Waiting for ${dep} to be healthy before starting ${name}`);
        // Healthy is not enough: the answer must come from the dependency's own process, which
        // is one look away once it answered (the verification looks now, not at its next tick).
        const healthy = await Promise.race([
          this.options.waitHealthy(dep, timeoutMs).then(async (ok) => {
            if (ok) this.lookNow.get(dep)?.look();
            return ok && (await (this.verified.get(dep) ?? true));
          }),
          this.cancelled.promise.then(() => false),
        ]);
        if (generation !== this.generation) return fail(`Start of ${name} cancelled: the stack was stopped.`);
        if (!healthy) {
          return fail(summary(started, skipped, `${name} not started: its dependency ${dep} did not become healthy within ${Math.round(timeoutMs / 1000)} s.`));
        }
      }
      const allocationError = engine.errorOf?.(name);
      if (allocationError) return fail(summary(started, skipped, `${name} not started: ${allocationError}`));
      const claim = await this.options.claimPort?.(name, 'beforeLaunch');
      if (claim?.type === 'adopted') {
        skipped.push(`${name} (already listening on its port)`);
        continue;
      }
      if (claim?.type === 'failed') return fail(summary(started, skipped, `${name} not started: ${claim.message}`));
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

  private async launch(name: string, stack: StackConfig, restarts = 0): Promise<void> {
    const inFlight = this.starting.get(name);
    if (inFlight) return inFlight;
    const run = (async () => {
      const ports = new Map<string, number>();
      for (const [service, assignment] of this.options.engine.all()) ports.set(service, assignment.port);
      const spec = isFront(stack.services[name]) ? frontSpec(name, this.options.workspace) : buildLaunchSpec({
        service: name, config: stack.services[name]!, ports, workspace: this.options.workspace, services: Object.keys(stack.services),
        urls: this.options.urls?.(), stack,
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
      this.options.onLaunched?.(name, launched, spec.command);
      // A front is the host's own listener: nothing to prove.
      this.verified.set(name, spec.front ? Promise.resolve(true) : this.verify(name, launched, restarts));
    })();
    this.starting.set(name, run);
    try {
      await run;
    } finally {
      this.starting.delete(name);
    }
  }

  /**
   * Resolves true once the listener on the service's port is its own process's. If a foreign
   * process won the port, the service was moved (portClaim): stop this launch, start it there.
   */
  private verify(name: string, launched: LaunchedService, restarts: number): Promise<boolean> {
    const claimPort = this.options.claimPort;
    if (!claimPort) return Promise.resolve(true);
    const generation = this.generation;
    const current = () => !this.stoppedOnPurpose.has(launched) && generation === this.generation;
    const lookNow = new LookNow();
    this.lookNow.set(name, lookNow);
    return verifyLaunch({
      name, launched, restarts, current, lookNow, log: (line) => this.options.log?.(line),
      claim: (quick) => claimPort(name, 'afterLaunch', launched.record ? [launched.record] : [], quick),
      intervalMs: this.options.verifyIntervalMs ?? 150,
      timeoutMs: this.options.healthTimeoutMs ?? 60_000,
      stop: () => this.stopLaunched(name, launched),
      relaunch: async () => {
        if (generation !== this.generation) return false;
        await this.launch(name, this.options.config(), restarts + 1);
        return this.verified.get(name) ?? false;
      },
    });
  }

  /** stop() resolves once the tree is gone; the exit event may trail it, so record the stop here too. */
  private async stopLaunched(name: string, launched: LaunchedService): Promise<void> {
    this.stoppedOnPurpose.add(launched);
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
    // Stopped on purpose, its exit code is only how it took the SIGTERM (a dev script exits 143): no failure.
    const asked = this.stoppedOnPurpose.has(launched);
    this.options.log?.(asked ? `${name} stopped` : `${name} exited${info.code !== null ? ` with code ${info.code}` : info.signal ? ` (${info.signal})` : ''}`);
    this.emit({ type: 'stopped', service: name, ...(info.code !== null && !asked ? { exitCode: info.code } : {}) });
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
