// The user's current route table, rebuilt from the lease registry whenever the file changes (one
// stat per question, so a service that moved is routed to its new port on the next request) and
// answered from a cache otherwise. Every host keeps one: the proxy routes with it, surfaces ask it
// for a service's named URL.
import { buildRouteTable, EMPTY_ROUTES, type RouteTable, type ServiceRoute, type WorkspaceFacts } from './routeNames';
import { registryLeaseSource, type LeaseSource } from './leaseSource';
import { readWorkspaceFacts } from './workspaceFacts';

export interface RouteSourceOptions {
  /** The lease registry file (protocol/discovery leasesFile()). */
  leasesFile?: string;
  leases?: LeaseSource;
  facts?: (workspace: string) => WorkspaceFacts;
  onError?: (message: string, error: unknown) => void;
  /** The clock of the watched recheck (tests drive it). */
  now?: () => number;
}

/**
 * While a watcher reports every change of the registry (`watched`), the file is stat'ed at most this
 * often rather than before every request; the watcher's invalidate() still applies a change at once.
 */
export const WATCHED_RECHECK_MS = 250;

export class RouteSource {
  readonly leases: LeaseSource;
  /** Set by whoever watches the registry's folder and calls invalidate() on every change. */
  watched = false;
  private checkedAt = 0;
  private readonly facts: (workspace: string) => WorkspaceFacts;
  private cached: RouteTable = EMPTY_ROUTES;
  private cachedSignature: string | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: RouteSourceOptions) {
    const leases = options.leases ?? (options.leasesFile ? registryLeaseSource(options.leasesFile) : undefined);
    if (!leases) throw new TypeError('RouteSource: give `leasesFile` or `leases`');
    this.leases = leases;
    this.facts = options.facts ?? readWorkspaceFacts;
  }

  /** The table for the registry as it is now. Never throws: a registry it cannot read routes nothing. */
  table(): RouteTable {
    let signature: string;
    const now = this.watched ? (this.options.now ?? Date.now)() : 0;
    if (this.watched && this.cachedSignature !== undefined && now - this.checkedAt < WATCHED_RECHECK_MS) return this.cached;
    try {
      signature = this.leases.signature();
      if (signature === this.cachedSignature) {
        // An unchanged file restarts the window too: else every request after the first window stats.
        this.checkedAt = now;
        return this.cached;
      }
      this.cached = signature === '' ? EMPTY_ROUTES : buildRouteTable(this.leases.read(), this.facts);
    } catch (error) {
      // Asked on every request: say it once per distinct failure, not once per request.
      const message = (error as Error)?.message ?? String(error);
      if (message !== this.lastError) this.options.onError?.('Reading the lease registry for the proxy failed', error);
      this.lastError = message;
      this.cachedSignature = undefined;
      return (this.cached = EMPTY_ROUTES);
    }
    this.lastError = undefined;
    this.cachedSignature = signature;
    this.checkedAt = now;
    return this.cached;
  }

  /** Forget the cache: the next question reads the registry (a change the signature may not show). */
  invalidate(): void {
    this.cachedSignature = undefined;
  }

  route(host: string): ServiceRoute | undefined {
    return this.table().byHost.get(host);
  }

  /** The routes of one workspace (its services' names and the main one), in config order. */
  workspaceRoutes(workspace: string): ServiceRoute[] {
    return this.table().routes.filter((r) => r.workspace === workspace);
  }
}
