// What the host knows about a stack at one moment, and the events that change it. Shared by the
// host, the extension, the dashboard and the CLI; plain data only, so it crosses every wire.
import type { ServiceKind, Strategy } from './config';

/** Why a service has the port it has. */
export type Reason = 'preferred' | 'fallback' | 'inherited' | 'detected_running' | 'moved';
export type HealthState = 'starting' | 'healthy' | 'unhealthy' | 'stopped';

/** Who holds a port that Manito wanted, as far as the OS tells. */
export interface PortHolder {
  pid?: number;
  /** Kernel start time of `pid` (Linux), so a later look can tell it from a new process given the same pid. */
  startTime?: number;
  command?: string;
  /** Set when the holder is a Manito-managed service (of this or another workspace). */
  service?: string;
  workspace?: string;
  /** When `workspace` is another worktree of this workspace's repository: "worktree ../app-feature (branch feature)". */
  worktree?: string;
}

export interface ProbeSample {
  at: string;
  ok: boolean;
  latencyMs: number | null;
}

export interface ServiceView {
  name: string;
  kind: ServiceKind;
  description?: string;
  /** Null when the service could not be given a port (see `error`). */
  port: number | null;
  reason: Reason | null;
  /** One sentence a person reads: "3000 is held by pid 1234 (vite), assigned 3001". */
  explanation: string;
  url: string | null;
  /**
   * The service's name through the user's loopback proxy (`http://api.shop.localhost:14730`),
   * which survives every port move; absent for kinds that are not web or when no proxy serves.
   */
  namedUrl?: string;
  health: HealthState;
  /** ISO time the service entered its current health state. */
  healthSince: string;
  lastCheck: string | null;
  latencyMs: number | null;
  /** Recent probe results, oldest first. */
  history: ProbeSample[];
  /** How it runs now: in an editor terminal, as a child of `manito up`, found already running, or not at all. */
  runner: 'process' | 'detected' | null;
  pid: number | null;
  /** The container's name when it runs in one (a docker compose service Manito started). */
  container?: string;
  /**
   * A compose service: how Docker publishes its host port into the container. Nothing is passed to
   * the container's environment (no PORT); the container keeps listening on its own port.
   */
  published?: { hostIp: string; hostPort: number; containerPort: number };
  hasCommand: boolean;
  dependsOn: string[];
  error?: string;
  /**
   * The process that pushed this service off its first preferred port has exited and that port is
   * free again: the service may move back (`manito move-back`, the tree's and dashboard's Move Back).
   */
  moveBack?: { port: number };
  /** Its health check runs a command, which waits until the user starts the service; until then only TCP is checked. */
  waitingForStart?: boolean;
  /** An instance of a multi-instance service (`web#2`): the service it belongs to and its index, from 1. */
  instanceOf?: { service: string; index: number };
  /** A multi-instance service: how many instances it has and how many are healthy now. */
  instances?: { total: number; healthy: number };
  /** `inferred` stacks: the files and entries this service was inferred from. */
  inferredFrom?: string[];
  /** What Manito adds to its environment at launch: its own port, its dependencies' ports and URLs, the env entries. */
  env?: EnvWire[];
}

export interface ConfigError {
  message: string;
  /** 1-based, as editors and terminals print them. */
  line: number;
  column: number;
  /** JSON path of the offending value, e.g. `services.client.preferred[1]`. */
  path?: string;
}

export interface HostInfo {
  pid: number;
  port: number;
  url: string;
  version: string;
  startedAt: string;
  uptimeSec: number;
  /** Open WebSocket feed connections. */
  connections: number;
  trusted: boolean;
}

/**
 * Where the served stack comes from: manito.json (or its last good version while it is broken),
 * `inferred` from what the folder holds (no manito.json), the embedded default (no manito.json and
 * nothing found), or `none`: manito.json is broken and has not been valid since the host started,
 * so no service is served (never the default's six in its place).
 */
export type ConfigSource = 'default' | 'file' | 'inferred' | 'none';

/** The served stack's origin in words; every surface shows `label` (see protocol/configOrigin.ts). */
export interface ConfigOrigin {
  /** "manito.json", "inferred from package.json, docker-compose.yml", "embedded default: nothing found". */
  label: string;
  /** `inferred`: the files the services were inferred from, first named first. */
  files: string[];
  /** `default`: why nothing was inferred. */
  detail?: string;
}

/** One variable Manito sets in a service's environment when it starts it, and why. */
export interface EnvWire {
  name: string;
  /** With the assigned ports substituted; the template itself when a port is not known yet. */
  value: string;
  why?: string;
}

export interface StackSnapshot {
  workspace: string;
  configSource: ConfigSource;
  configOrigin: ConfigOrigin;
  configPath: string | null;
  environment: string;
  strategy: Strategy;
  host: HostInfo;
  services: ServiceView[];
  /** Errors of the config file on disk; when non-empty the host serves its last good config, or nothing (`none`). */
  configErrors: ConfigError[];
}

/** The one sentence every surface uses for a broken manito.json. */
export function brokenConfigNote(errorCount: number, source: ConfigSource): string {
  const what = source === 'none' ? 'nothing is served until it is fixed' : 'serving the last good config';
  return `manito.json has ${errorCount} error${errorCount === 1 ? '' : 's'}; ${what}`;
}

export type EventBody =
  /** `holder`: who held the port a fallback wanted first. */
  | { type: 'assigned'; service: string; port: number; reason: Reason; explanation: string; holder?: PortHolder }
  | { type: 'moved'; service: string; from: number; to: number; explanation: string; holder?: PortHolder }
  | { type: 'released'; service: string; port: number }
  /** The holder that forced `service` off `port` (its first preferred port) has exited; `port` is free again. */
  | { type: 'portFreed'; service: string; port: number; current: number; explanation: string; holder?: PortHolder }
  | { type: 'allocationFailed'; service: string; message: string }
  | { type: 'detected'; service: string; port: number; fingerprint: string; pid?: number; command?: string; external?: boolean }
  /** A process that is not the service (by proof) held its port, before its launch or after it (it won the race). */
  | { type: 'foreign'; service: string; port: number; holder: PortHolder; when: 'beforeLaunch' | 'afterLaunch'; message: string }
  | { type: 'health'; service: string; from: HealthState; to: HealthState; detail?: string }
  | { type: 'started'; service: string; runner: 'process'; pid?: number }
  | { type: 'stopped'; service: string; exitCode?: number }
  | { type: 'config'; ok: boolean; source: ConfigSource; errors: ConfigError[] };

export type ManitoEvent = EventBody & { id: number; time: string };

export type OverallHealth = 'ok' | 'warning' | 'error' | 'stopped';

/** The worst state across the stack, for colouring the status bar and the dashboard header. */
export function overallHealth(snapshot: Pick<StackSnapshot, 'services' | 'configErrors'>): OverallHealth {
  const services = snapshot.services;
  if (services.some((s) => s.error || (s.health === 'unhealthy' && s.runner !== null))) return 'error';
  if (snapshot.configErrors.length > 0 || services.some((s) => s.health === 'starting' || s.health === 'unhealthy')) return 'warning';
  if (services.every((s) => s.health === 'stopped')) return 'stopped';
  return 'ok';
}

/** The URL every surface shows and opens first: the named one when the proxy gives one, else the port's. */
export function primaryUrl(service: Pick<ServiceView, 'url' | 'namedUrl'>): string | null {
  return service.namedUrl ?? service.url;
}

/** The URL scheme a person uses for a service of this kind. */
export function serviceUrl(kind: ServiceKind, port: number): string {
  switch (kind) {
    case 'websocket': return `ws://localhost:${port}`;
    case 'postgres': return `postgres://localhost:${port}`;
    case 'redis': return `redis://localhost:${port}`;
    case 'tcp': return `tcp://localhost:${port}`;
    default: return `http://localhost:${port}`;
  }
}
