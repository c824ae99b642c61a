// The manito.json model shared by every process, and the embedded default stack (the seed's six
// services) that the host serves when a workspace has no config file.

export type Strategy = 'minimal' | 'aggressive' | 'conservative';
export const STRATEGIES: readonly Strategy[] = ['minimal', 'aggressive', 'conservative'];

/** What a service speaks: decides its URL scheme, its detection fingerprint and its default probe. */
export type ServiceKind = 'http' | 'vite' | 'websocket' | 'postgres' | 'redis' | 'prometheus' | 'tcp';
export const SERVICE_KINDS: readonly ServiceKind[] = ['http', 'vite', 'websocket', 'postgres', 'redis', 'prometheus', 'tcp'];

export type HealthCheckConfig =
  | { type: 'tcp'; intervalMs?: number; timeoutMs?: number }
  | { type: 'http'; path?: string; expectStatus?: number; intervalMs?: number; timeoutMs?: number }
  | { type: 'command'; command: string; intervalMs?: number; timeoutMs?: number }
  /** The fingerprint of the service's kind (Redis PING, PostgreSQL SSLRequest, Vite client, ...). */
  | { type: 'auto'; intervalMs?: number; timeoutMs?: number };

export interface ServiceConfig {
  /** Ports tried in order. */
  preferred?: number[];
  /** Services whose preferred ports this one must never fall back onto. */
  conflicts?: string[];
  /** Always has the same port as this service, and follows it when it moves. */
  inheritFrom?: string;
  /** Must get one of its preferred ports, or fail with an error naming the holder. */
  strict?: boolean;
  kind?: ServiceKind;
  description?: string;
  /** Shell command that starts the service; `${port}` and `${ports.<name>}` are substituted. */
  command?: string;
  /** Working directory, relative to the workspace root. */
  cwd?: string;
  /** Lets `cwd` leave the workspace (`../shared`, an absolute path elsewhere). Default false. */
  cwdOutsideWorkspace?: boolean;
  env?: Record<string, string>;
  /** The variable that carries the service's own port. Default `PORT`. */
  portEnv?: string;
  /** Services that must be healthy before this one starts. */
  dependsOn?: string[];
  /** Processes of this service, each on its own port (protocol/instances.ts). Default 1. */
  instances?: number;
  /** With instances above 1: the service's own port is a round-robin front before them. Default true. */
  front?: boolean;
  health?: HealthCheckConfig;
}

export interface HostConfig {
  /** Ports the host's own HTTP API may take, tried in order. */
  ports?: number[];
}

export interface StackConfig {
  $schema?: string;
  strategy?: Strategy;
  environment?: string;
  host?: HostConfig;
  services: Record<string, ServiceConfig>;
}

/** The host's own API ports: outside the ranges dev servers, databases and exporters use. */
export const DEFAULT_HOST_PORTS: readonly number[] = Array.from({ length: 20 }, (_, i) => 41730 + i);
/** The seed's CLI scan range, kept so apps that only know the seed still find a host there. */
export const SEED_SCAN_PORTS: readonly number[] = Array.from({ length: 11 }, (_, i) => 3000 + i);

export const DEFAULT_HEALTH_INTERVAL_MS = 2000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;
export const CONFIG_FILE_NAME = 'manito.json';

/** The seed's six services. Commands are left out: the default stack allocates and watches. */
export const DEFAULT_STACK: StackConfig = {
  strategy: 'minimal',
  environment: 'development',
  services: {
    server: { preferred: [3000, 3001, 3002], conflicts: ['client'], kind: 'http', description: 'Main API server' },
    client: { preferred: [5173, 5174, 5175], conflicts: ['server'], kind: 'vite', description: 'Vite development server' },
    websocket: { inheritFrom: 'server', kind: 'websocket', description: 'Real-time communication' },
    database: { preferred: [5432, 5433, 5434], kind: 'postgres', description: 'PostgreSQL database' },
    redis: { preferred: [6379, 6380, 6381], kind: 'redis', description: 'Cache and sessions' },
    monitoring: { preferred: [9090, 9091, 9092], kind: 'prometheus', description: 'Prometheus metrics' },
  },
};

/** `MANITO_<SERVICE>_PORT`: non-alphanumerics become `_`, so `api-gateway` is `MANITO_API_GATEWAY_PORT`. */
export function servicePortVariable(service: string): string {
  return `MANITO_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
}

/** `MANITO_<SERVICE>_URL`: the service's named URL (its port's URL when no proxy serves), for dependents. */
export function serviceUrlVariable(service: string): string {
  return `MANITO_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}
