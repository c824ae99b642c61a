// The app-side port config, as the seed's DynamicPortConfig: reads the stack's ports from the
// Manito host, falls back to MANITO_<SERVICE>_PORT / PORT variables, then to defaults. Runs in
// Node and in the browser (fetch only; discovery files and port scans only in Node).
import { DEFAULT_HOST_PORTS, SEED_SCAN_PORTS, servicePortVariable } from '../../protocol/config';
import { API_HEALTH_PATH, API_PORTS_PATH, SERVICE_NAME, type PortsResponse } from '../../protocol/http';

/** The seed's ports, used when neither a host nor the environment says otherwise. */
export const SEED_DEFAULT_PORTS: Readonly<Record<string, number>> = {
  server: 3000, client: 5173, websocket: 3000, database: 5432, redis: 6379, monitoring: 9090,
};

/** Same-origin path the manitoVite() plugin serves in the dev server, for browser code. */
export const VITE_PORTS_PATH = '/__manito/ports';

export type PortSource = 'host' | 'env' | 'default';

export interface PortConfigOptions {
  /** Base URL of the host (`http://127.0.0.1:41730`). Default: MANITO_URL, then (Node) the user's discovery records, each proven by its host. */
  url?: string;
  /** Variables to read MANITO_URL, MANITO_<SERVICE>_PORT and PORT from. Default: process.env in Node, none in a browser. */
  env?: Record<string, string | undefined>;
  /** This app's own service: PORT (when set) is its port. */
  service?: string;
  /** Ports when nothing else answers. Default: the seed's (server 3000, client 5173, ...). */
  defaults?: Record<string, number>;
  /** Per request. Default 800 ms. */
  timeoutMs?: number;
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * Node: the folder the app runs in; only a host whose workspace is this folder or a parent of it
   * is asked (another project's host has that project's ports). Default: process.cwd().
   */
  cwd?: string;
  /** Node: where lines about untrusted discovery records and ignored fake hosts go. Default: console.warn. */
  warn?: (line: string) => void;
}

const isNode = typeof process !== 'undefined' && typeof process.versions === 'object' && Boolean(process.versions?.node);
const isBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

export class PortConfig {
  ports: Record<string, number> = {};
  urls: Record<string, string> = {};
  environment = 'development';
  source: PortSource = 'default';
  /** Where the ports came from when `source` is `host`. */
  hostUrl: string | null = null;
  private initialized: Promise<this> | undefined;

  constructor(private readonly options: PortConfigOptions = {}) {
    this.applyFallbacks();
  }

  /** Fetches the ports once (later calls return the same promise). Never rejects. */
  initialize(): Promise<this> {
    this.initialized ??= this.load();
    return this.initialized;
  }

  /** Fetch again (after the host moved a service). */
  refresh(): Promise<this> {
    this.initialized = this.load();
    return this.initialized;
  }

  getPort(service: string): number | undefined {
    return this.ports[service];
  }

  getUrl(service: string): string | undefined {
    return this.urls[service] ?? (this.ports[service] !== undefined ? `http://localhost:${this.ports[service]}` : undefined);
  }

  toJSON(): { source: PortSource; hostUrl: string | null; environment: string; ports: Record<string, number>; urls: Record<string, string> } {
    return { source: this.source, hostUrl: this.hostUrl, environment: this.environment, ports: { ...this.ports }, urls: { ...this.urls } };
  }

  private env(): Record<string, string | undefined> {
    if (this.options.env) return this.options.env;
    return isNode ? process.env : {};
  }

  private async load(): Promise<this> {
    for (const url of await this.candidates()) {
      const body = await this.fetchJson<PortsResponse>(url);
      if (body?.success && body.data && typeof body.data === 'object') {
        this.fromHost(body, url);
        return this;
      }
    }
    this.applyFallbacks();
    return this;
  }

  /** Endpoints that may serve the /api/ports body, most specific first. */
  private async candidates(): Promise<string[]> {
    const explicit = this.options.url ?? this.env().MANITO_URL;
    if (explicit) return [`${explicit.replace(/\/+$/, '')}${API_PORTS_PATH}`];
    if (isBrowser) return [VITE_PORTS_PATH];
    if (!isNode) return [];
    const folder = this.options.cwd ?? process.cwd();
    const { discoveredHosts } = await import('./nodeDiscovery.js');
    const found = await discoveredHosts(this.env(), folder, this.options.timeoutMs ?? 800);
    const warn = this.options.warn ?? ((line: string) => console.warn(`[manito] ${line}`));
    for (const line of found.notes) warn(line);
    if (found.urls.length) return found.urls.map((u) => `${u}${API_PORTS_PATH}`);
    await this.reportImpostors(new Set(found.provenPorts), warn);
    return [];
  }

  /**
   * Nothing proven serves this folder: look at the host range and the seed's 3000-3010 only to
   * name any server there that says it is Manito. It is never asked for ports: a port scan cannot
   * tell the user's host from another user's or a fake one.
   */
  private async reportImpostors(proven: ReadonlySet<number>, warn: (line: string) => void): Promise<void> {
    const { unprovenHostLine } = await import('../../server/discovery/trustedHosts.js');
    const ports = [...DEFAULT_HOST_PORTS, ...SEED_SCAN_PORTS].filter((p) => !proven.has(p));
    await Promise.all(ports.map(async (port) => {
      const body = await this.fetchJson<{ service?: string; host?: { pid?: number } }>(`http://127.0.0.1:${port}${API_HEALTH_PATH}`);
      if (body?.service === SERVICE_NAME) warn(unprovenHostLine(port, typeof body.host?.pid === 'number' ? body.host.pid : undefined));
    }));
  }

  private async fetchJson<T>(url: string): Promise<T | null> {
    const doFetch = this.options.fetch ?? globalThis.fetch;
    if (!doFetch) return null;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 800);
    try {
      const res = await doFetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      if (!res.ok) return null;
      return (await res.json()) as T;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private fromHost(body: PortsResponse, url: string): void {
    const { environment, urls, ...rest } = body.data;
    this.ports = {};
    for (const [name, value] of Object.entries(rest)) if (typeof value === 'number') this.ports[name] = value;
    this.urls = { ...(urls ?? {}) };
    this.environment = typeof environment === 'string' ? environment : 'development';
    this.source = 'host';
    this.hostUrl = url.startsWith('http') ? url.slice(0, url.length - API_PORTS_PATH.length) : null;
  }

  /** MANITO_<SERVICE>_PORT for every known service, PORT for this app's own, then the defaults. */
  private applyFallbacks(): void {
    const env = this.env();
    const defaults = this.options.defaults ?? SEED_DEFAULT_PORTS;
    const ports: Record<string, number> = {};
    let fromEnv = false;
    const names = new Set(Object.keys(defaults));
    if (this.options.service) names.add(this.options.service);
    for (const key of Object.keys(env)) {
      const m = /^MANITO_(.+)_PORT$/.exec(key);
      if (m && ![...names].some((n) => servicePortVariable(n) === key)) names.add(m[1]!.toLowerCase().replace(/_/g, '-'));
    }
    for (const name of names) {
      const own = name === this.options.service ? toPort(env.PORT) : undefined;
      const value = toPort(env[servicePortVariable(name)]) ?? own;
      if (value !== undefined) {
        ports[name] = value;
        fromEnv = true;
      } else if (defaults[name] !== undefined) {
        ports[name] = defaults[name]!;
      }
    }
    this.ports = ports;
    this.urls = Object.fromEntries(Object.entries(ports).map(([n, p]) => [n, n === 'websocket' ? `ws://localhost:${p}` : `http://localhost:${p}`]));
    this.environment = env.NODE_ENV ?? 'development';
    this.source = fromEnv ? 'env' : 'default';
    this.hostUrl = null;
  }
}

function toPort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** `const config = createPortConfig(); await config.initialize(); config.getPort('server')`. */
export function createPortConfig(options?: PortConfigOptions): PortConfig {
  return new PortConfig(options);
}
