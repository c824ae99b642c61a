// How one service of the stack looks to each reader of the host's state: the ServiceView that
// snapshots carry to the editor, dashboard and CLI, and the MonitoredService the health monitor
// probes. Both are derived from the same sources, so they live together, apart from StackCore's wiring.
import type { StackConfig } from '../../protocol/config';
import { serviceUrl, type ServiceView } from '../../protocol/model';
import { kindOf, type Detection } from '../detect/detectRunning';
import type { PortEngineApi } from '../engine/engineApi';
import type { HealthMonitor, MonitoredService } from '../health/healthMonitor';
import type { FreedPort } from './holderWatch';

/** What StackCore needs of the service runner (server/launch StackRunner implements it). */
export interface RunnerView {
  runnerOf(service: string): 'process' | null;
  pidOf(service: string): number | null;
  /** The container a service runs in (a compose service), if any. */
  containerOf?(service: string): string | null;
  /** The container port a compose service's host port is published to, whether it runs or not. */
  containerPortOf?(service: string): number | null;
  isStopping?(service: string): boolean;
}

/** Where a service's state comes from; the engine is absent until StackCore has started. */
export interface ServiceSources {
  engine: Pick<PortEngineApi, 'get' | 'errorOf'> | undefined;
  health: Pick<HealthMonitor, 'state'>;
  runner: RunnerView | undefined;
  /** Services found already running (not launched by us), with who holds their port. */
  detected: ReadonlyMap<string, Detection>;
  /** The first preferred port of a service, free again since the process that held it exited. */
  freed?: (service: string) => FreedPort | undefined;
}

export function serviceView(name: string, stack: StackConfig, sources: ServiceSources): ServiceView {
  const { engine, health, runner: launcher, detected } = sources;
  const config = stack.services[name];
  const kind = kindOf(stack, name);
  const a = engine?.get(name);
  const h = health.state(name);
  const runner = launcher?.runnerOf(name) ?? (detected.has(name) ? 'detected' : null);
  const error = engine?.errorOf(name);
  const pid = launcher?.pidOf(name) ?? detected.get(name)?.holder?.pid ?? null;
  // The watch looks every second; a service already back on the freed port has nothing to move back to.
  const freed = a ? [sources.freed?.(name)].find((f) => f && f.port !== a.port) : undefined;
  const container = launcher?.containerOf?.(name) ?? null;
  const containerPort = launcher?.containerPortOf?.(name) ?? null;
  return {
    name,
    kind,
    ...(config.description ? { description: config.description } : {}),
    port: a?.port ?? null,
    reason: a?.reason ?? null,
    explanation: freed?.explanation ?? a?.explanation ?? error ?? 'Not allocated yet.',
    url: a ? serviceUrl(kind, a.port) : null,
    health: h?.health ?? 'stopped',
    healthSince: new Date(h?.since ?? Date.now()).toISOString(),
    lastCheck: h?.lastCheck ? new Date(h.lastCheck).toISOString() : null,
    latencyMs: h?.latencyMs ?? null,
    history: h ? [...h.history] : [],
    runner,
    pid,
    ...(container ? { container } : {}),
    ...(containerPort !== null && a ? { published: { hostIp: '127.0.0.1', hostPort: a.port, containerPort } } : {}),
    hasCommand: Boolean(config.command),
    dependsOn: config.dependsOn ?? [],
    ...(error ? { error } : {}),
    ...(freed ? { moveBack: { port: freed.port } } : {}),
    ...(config.health?.type === 'command' && !launcher?.runnerOf(name) ? { waitingForStart: true } : {}),
  };
}

export function monitoredService(name: string, stack: StackConfig, sources: ServiceSources): MonitoredService {
  const config = stack.services[name];
  // An inheritor shares its parent's listener: probe it the way the parent is probed, unless it says otherwise.
  const parent = config.inheritFrom ? stack.services[config.inheritFrom] : undefined;
  // Without a command of its own it is served by its root's process: launched or found with it,
  // so it turns unhealthy with it when that process dies, rather than quietly "stopped".
  const server = servedBy(name, stack);
  return {
    service: name,
    kind: config.inheritFrom && !config.health ? kindOf(stack, config.inheritFrom) : kindOf(stack, name),
    port: sources.engine?.get(name)?.port ?? null,
    check: config.health ?? (parent ? parent.health : undefined),
    launched: Boolean(sources.runner?.runnerOf(name) ?? sources.runner?.runnerOf(server)),
    detected: sources.detected.has(name) || sources.detected.has(server),
    // Being stopped on purpose: no answer is expected, so none is "unhealthy".
    stopping: Boolean(sources.runner?.isStopping?.(server)),
  };
}

/** The service whose process serves `name`: itself, or for an inheritor without a command of its own, its root. */
export function servedBy(name: string, stack: StackConfig): string {
  const config = stack.services[name];
  return config?.inheritFrom && !config.command ? rootOf(name, stack) : name;
}

/** The service at the top of `name`'s inheritFrom chain (validated stacks have no cycles; a bound guards anyway). */
function rootOf(name: string, stack: StackConfig): string {
  let root = name;
  for (let i = 0; i < 64 && stack.services[root]?.inheritFrom; i++) root = stack.services[root]!.inheritFrom!;
  return root;
}
