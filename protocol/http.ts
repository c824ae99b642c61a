// Payloads of the host's HTTP API and WebSocket feed. `/api/ports` and `/api/health` keep the
// seed's shapes exactly, so apps written against the seed read them unchanged.
import type { ManitoEvent, Reason, HealthState, StackSnapshot } from './model';
import type { UsageReport } from './usage';

export const API_PORTS_PATH = '/api/ports';
export const API_HEALTH_PATH = '/api/health';
export const API_SNAPSHOT_PATH = '/api/snapshot';
export const API_EVENTS_PATH = '/api/events';
/** POST `/api/services/<name>/<action>` and `/api/stack/<action>`; need the host token. */
export const API_SERVICES_PREFIX = '/api/services/';
export const API_STACK_PREFIX = '/api/stack/';
export const DASHBOARD_PATH = '/dashboard';
/** The workspace's port usage record (UsageReport); no token, like /api/snapshot. */
export const API_USAGE_PATH = '/api/usage';
/** Prometheus text format; no token, like /api/ports. */
export const METRICS_PATH = '/metrics';
export const FEED_PATH = '/';
/** Header (or `?token=` on the dashboard and feed URLs) that carries the per-host token. */
export const TOKEN_HEADER = 'x-manito-token';
/** `/api/health` always names this, so scanners recognise a Manito host. */
export const SERVICE_NAME = 'Manito';

/** `move-back`: onto the first preferred port again, once what held it has exited (restarts it if running). */
export type ServiceAction = 'start' | 'stop' | 'restart' | 'move-back';
export type StackAction = 'start' | 'stop';

/** The keys of `/api/ports` data that are not services: no service may be named like them. */
export const PORTS_DATA_KEYS: readonly string[] = ['environment', 'urls'];

/** `data` maps each service to its port, next to `environment` and `urls`. */
export type PortsData = { environment: string; urls: Record<string, string> } & Record<string, number | string | Record<string, string>>;

export interface PortsResponse {
  success: true;
  data: PortsData;
  /**
   * Added beside the seed's `data` (which keeps its shape): each web service's named URL through
   * the user's proxy, `http://<service>.<workspace>.localhost:<proxy port>`. Absent when none.
   */
  namedUrls?: Record<string, string>;
}

export interface ErrorResponse {
  success: false;
  error: string;
}

export interface ServiceHealthEntry {
  status: HealthState;
  port: number | null;
  reason: Reason | null;
  lastCheck: string | null;
  latencyMs: number | null;
  since: string;
  /** Added for a multi-instance service (`instances: N`): each instance's health, index from 1. */
  instances?: Array<ServiceHealthEntry & { index: number }>;
  /** On `services.websocket`: the WebSocket feed on the host's port, as the seed reports it. */
  connections?: number;
  uptime?: number;
  timestamp?: string;
}

export interface HealthResponse {
  success: true;
  service: typeof SERVICE_NAME;
  status: 'healthy' | 'degraded' | 'unhealthy';
  version: string;
  timestamp: string;
  uptime: number;
  host: { pid: number; port: number; workspace: string };
  /** Only with `?detailed=true`. */
  services?: Record<string, ServiceHealthEntry>;
}

/** Messages on the WebSocket feed, host to subscriber. */
export type FeedMessage =
  | { type: 'hello'; snapshot: StackSnapshot; events: ManitoEvent[] }
  | { type: 'snapshot'; snapshot: StackSnapshot }
  | { type: 'event'; event: ManitoEvent }
  /** After `hello`, and whenever a port was contested: the usage view's whole record (bounded). */
  | { type: 'usage'; usage: UsageReport };
