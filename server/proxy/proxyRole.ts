// One proxy per user, served by whichever of the user's hosts holds its port: the kernel elects
// (the host that binds 127.0.0.1, and ::1 where it exists, serves); the others stand by and try
// again on an unref()ed timer and whenever the lease registry changes (a host that stops releases
// its leases), so another host takes over within a second of the serving one exiting.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { createProxyServer, type ProxyServer } from './proxyServer';
import type { RouteSource } from './routeSource';

export type ProxyRoleName = 'serving' | 'standby' | 'blocked' | 'stopped';

export interface ProxyState {
  role: ProxyRoleName;
  port: number;
  /** One sentence for logs and tooltips. */
  detail: string;
}

export interface NamedUrls {
  /** The workspace's own name, when it has a main web service. */
  main?: { service: string; url: string };
  /** Service name -> its named URL. */
  services: Record<string, string>;
}

export interface ProxyRoleOptions {
  port: number;
  routes: RouteSource;
  log?: { info(line: string): void; warn(line: string): void };
  /** How often a host that does not serve tries again. Default 1000 ms. */
  retryMs?: number;
  /** Loopback addresses to hold; the first is required, the others only where the system has them. */
  addresses?: readonly string[];
}

const ABSENT = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);
const PROBE_AGAIN_MS = 30_000;

export class ProxyRole {
  private servers: ProxyServer[] = [];
  private current: ProxyState;
  private readonly listeners = new Set<(state: ProxyState) => void>();
  private timer: NodeJS.Timeout | undefined;
  private watcher: fs.FSWatcher | undefined;
  private attempting: Promise<void> | undefined;
  private stopping = false;
  private probed: { address: string; at: number; manito: boolean } | undefined;

  constructor(private readonly options: ProxyRoleOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError(`ProxyRole: port must be 1-65535, got ${options.port}`);
    this.current = { role: 'standby', port: options.port, detail: 'starting' };
  }

  get state(): ProxyState {
    return this.current;
  }

  onChange(listener: (state: ProxyState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tries to serve once, then keeps trying in the background until stop(). Resolves with the first decision. */
  async start(): Promise<ProxyState> {
    this.timer = setInterval(() => this.retry(), this.options.retryMs ?? 1000);
    this.timer.unref();
    this.watch();
    await this.retry();
    return this.current;
  }

  /** Frees the port (::1 before 127.0.0.1, the reverse of taking them) and every connection. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    this.options.routes.watched = false;
    this.watcher?.close();
    this.watcher = undefined;
    await this.attempting;
    const servers = this.servers.splice(0).reverse();
    for (const server of servers) await server.close();
    this.set({ role: 'stopped', port: this.options.port, detail: 'stopped' });
  }

  /** `http://<name>:<port>` for a route name. */
  urlOf(host: string): string {
    return `http://${host}${this.options.port === 80 ? '' : `:${this.options.port}`}`;
  }

  /**
   * The named URLs of one workspace's services, whichever host serves the proxy; undefined when no
   * Manito host can serve it (its port is another program's) or this role has stopped.
   */
  namedUrls(workspace: string): NamedUrls | undefined {
    if (this.current.role === 'blocked' || this.current.role === 'stopped') return undefined;
    const out: NamedUrls = { services: {} };
    for (const route of this.options.routes.workspaceRoutes(path.resolve(workspace))) {
      out.services[route.service] = this.urlOf(route.host);
      if (route.mainHost) out.main = { service: route.service, url: this.urlOf(route.mainHost) };
    }
    return out;
  }

  private retry(): Promise<void> {
    if (this.current.role === 'serving' || this.stopping) return Promise.resolve();
    if (!this.watcher) this.watch();
    this.attempting ??= this.attempt().finally(() => { this.attempting = undefined; });
    return this.attempting;
  }

  private async attempt(): Promise<void> {
    const { port, routes } = this.options;
    const addresses = this.options.addresses ?? ['127.0.0.1', '::1'];
    const taken: ProxyServer[] = [];
    for (const [i, address] of addresses.entries()) {
      const server = createProxyServer({ routes });
      const error = await listen(server, port, address);
      if (!error) {
        server.listener.on('error', (e) => this.options.log?.warn(`Proxy server on ${address}: ${e.message}`));
        taken.push(server);
        continue;
      }
      if (i > 0 && ABSENT.has(error.code ?? '')) continue;
      for (const s of taken.reverse()) await s.close();
      const where = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
      if (error.code === 'EADDRINUSE' && (await this.heldByManito(address))) {
        this.set({ role: 'standby', port, detail: `another Manito host serves the proxy on ${where}` });
      } else {
        this.set({ role: 'blocked', port, detail: `${where} is held by another program (${error.code ?? error.message}); named URLs are off until it is free` });
      }
      return;
    }
    this.servers = taken; // stop() waits for this attempt, then closes them
    this.set({ role: 'serving', port, detail: `serving http://<name>.localhost:${port} on ${addresses.filter((_, i) => i < taken.length).join(' and ')}` });
  }

  /**
   * Whether the holder answers as a Manito proxy. Asked again at most every PROBE_AGAIN_MS, so a
   * foreign program on the port is not sent a request on every retry.
   */
  private async heldByManito(address: string): Promise<boolean> {
    const now = Date.now();
    if (this.probed && this.probed.address === address && now - this.probed.at < PROBE_AGAIN_MS) return this.probed.manito;
    const manito = await isManitoProxy(this.options.port, address);
    this.probed = { address, at: now, manito };
    return manito;
  }

  /** Wakes a standby host when the registry changes, and tells the route cache (an in-place write may keep its ctime). */
  private watch(): void {
    const file = this.options.routes.leases.file;
    try {
      this.watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (name !== null && name !== path.basename(file)) return;
        this.options.routes.invalidate();
        void this.retry();
      });
      this.watcher.on('error', () => {
        this.options.routes.watched = false;
        this.watcher?.close();
        this.watcher = undefined;
      });
      this.options.routes.watched = true;
    } catch {
      this.watcher = undefined; // no state folder yet: the timer tries again
    }
  }

  private set(next: ProxyState): void {
    const changed = next.role !== this.current.role || next.detail !== this.current.detail;
    this.current = next;
    if (!changed) return;
    if (next.role === 'blocked') this.options.log?.warn(`Proxy: ${next.detail}`);
    else if (next.role !== 'stopped') this.options.log?.info(`Proxy: ${next.detail}`);
    for (const listener of this.listeners) listener(next);
  }
}

function listen(server: ProxyServer, port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.listener.once('error', onError);
    server.listener.listen({ port, host, exclusive: true }, () => {
      server.listener.off('error', onError);
      resolve(undefined);
    });
  });
}

/** Whether the holder of the port answers as a Manito proxy does (its own pages carry X-Manito-Proxy). */
function isManitoProxy(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: address, port, method: 'HEAD', path: '/', headers: { host: 'manito-probe.invalid' }, timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.headers['x-manito-proxy'] === '1');
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
