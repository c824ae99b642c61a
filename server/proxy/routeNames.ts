// Names for every web service the user's hosts lease: `<service>.<workspace>.localhost` and
// `<workspace>.localhost` for a workspace's main web service, `<branch>.` before the workspace in a
// linked git worktree. Pure: the leases and what is known of each workspace in, the table out, so
// every host of the user computes the same names from the same registry.
import * as crypto from 'node:crypto';
import type { ServiceKind } from '../../protocol/config';
import { INSTANCE_SEPARATOR } from '../../protocol/instances';

/** What a route needs from one live lease. */
export interface RouteLease {
  workspace: string;
  service: string;
  port: number;
  /** ISO time the lease started: the workspace running first keeps a shared folder name. */
  since: string;
}

/** What a name needs beyond the leases, from the workspace's folder (workspaceFacts.ts). */
export interface WorkspaceFacts {
  /** The folder name the workspace label comes from (the main checkout's, for a linked worktree's root). */
  name: string;
  /** The branch of a linked git worktree (its id when HEAD is detached). */
  branch?: string;
  /** Services in manito.json order with their kinds; undefined when the file cannot be read. */
  services?: ReadonlyArray<{ name: string; kind: ServiceKind }>;
}

export interface ServiceRoute {
  workspace: string;
  service: string;
  port: number;
  /** The name surfaces show, without the `:port`. */
  host: string;
  /** The workspace's own name when this is its main web service. */
  mainHost?: string;
}

export interface RouteTable {
  /** Ordered: workspaces as they claimed their names, services in config order. */
  routes: readonly ServiceRoute[];
  /** Every name that routes, primary names and the aliases that never change while a workspace runs. */
  byHost: ReadonlyMap<string, ServiceRoute>;
}

export const EMPTY_ROUTES: RouteTable = { routes: [], byHost: new Map() };

/** Kinds that speak HTTP (or upgrade from it): a database or Redis port gets no name. */
const WEB_KINDS: ReadonlySet<ServiceKind> = new Set(['http', 'vite', 'websocket', 'prometheus']);
const CLIENT_NAMES = /^(web|client|frontend|front|app|ui|site|www)$/;
const MAX_LABEL = 63;
const HASH_CHARS = 6;

/** A DNS label: lowercase letters, digits and inner hyphens, at most 63 characters; `fallback` when nothing is left. */
export function dnsLabel(text: string, fallback: string): string {
  const label = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_LABEL - HASH_CHARS - 1).replace(/-+$/, '');
  return label || fallback;
}

/** A short stable suffix from a path or a name, for labels that would otherwise collide. */
export function shortHash(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/**
 * The main web service: a Vite service first, then an HTTP one with a client's name, then any
 * HTTP one; config order breaks ties. Undefined when the workspace has none.
 */
export function mainWebService(services: ReadonlyArray<{ name: string; kind: ServiceKind }>): string | undefined {
  const rank = (s: { name: string; kind: ServiceKind }) =>
    s.kind === 'vite' ? 0 : s.kind !== 'http' ? -1 : CLIENT_NAMES.test(s.name.toLowerCase()) ? 1 : 2;
  let best: { name: string; rank: number } | undefined;
  for (const s of services) {
    const r = rank(s);
    if (r >= 0 && (!best || r < best.rank)) best = { name: s.name, rank: r };
  }
  return best?.name;
}

/**
 * Builds the table. A folder name shared by two workspaces goes to the one that has run longest
 * (earliest lease, then path); the other gets `<name>-<hash of its path>`. Every workspace also
 * answers to that hashed name at all times, so a tab opened on it survives the other one stopping.
 */
export function buildRouteTable(leases: readonly RouteLease[], factsOf: (workspace: string) => WorkspaceFacts, suffix = 'localhost'): RouteTable {
  const byWorkspace = new Map<string, { first: string; leases: RouteLease[] }>();
  for (const lease of leases) {
    const entry = byWorkspace.get(lease.workspace);
    if (!entry) byWorkspace.set(lease.workspace, { first: lease.since, leases: [lease] });
    else {
      if (lease.since < entry.first) entry.first = lease.since;
      entry.leases.push(lease);
    }
  }
  const order = [...byWorkspace.entries()].sort(([pa, a], [pb, b]) => (a.first < b.first ? -1 : a.first > b.first ? 1 : pa < pb ? -1 : pa > pb ? 1 : 0));

  const routes: ServiceRoute[] = [];
  const byHost = new Map<string, ServiceRoute>();
  const bases = new Set<string>();
  const claim = (host: string, route: ServiceRoute) => {
    if (byHost.has(host)) return false;
    byHost.set(host, route);
    return true;
  };
  for (const [workspace, { leases: mine }] of order) {
    const facts = factsOf(workspace);
    const name = dnsLabel(facts.name, 'workspace');
    const hashed = `${name}-${shortHash(workspace)}`;
    const base = facts.branch ? `${dnsLabel(facts.branch, 'worktree')}.${name}` : name;
    const services = orderedWebServices(mine, facts);
    const main = mainWebService(services.map(({ lease, kind }) => ({ name: lease.service, kind })));
    const labels = serviceLabels(services.map((s) => s.lease.service));
    // The bare base goes to the first workspace that asks for it, unless one of its names is already another's.
    const wanted = [...labels.map((l) => `${l}.${base}.${suffix}`), ...(main ? [`${base}.${suffix}`] : [])];
    const primary = !bases.has(base) && wanted.every((h) => !byHost.has(h)) ? base : hashed;
    bases.add(primary);
    services.forEach(({ lease }, i) => {
      const route: ServiceRoute = { workspace, service: lease.service, port: lease.port, host: `${labels[i]}.${primary}.${suffix}` };
      claim(route.host, route);
      claim(`${labels[i]}.${hashed}.${suffix}`, route);
      if (lease.service === main) {
        route.mainHost = `${primary}.${suffix}`;
        claim(route.mainHost, route);
        claim(`${hashed}.${suffix}`, route);
      }
      routes.push(route);
    });
  }
  return { routes, byHost };
}

/** The workspace's leases of web kinds, in manito.json order (leases it does not list last, as HTTP). */
function orderedWebServices(leases: RouteLease[], facts: WorkspaceFacts): Array<{ lease: RouteLease; kind: ServiceKind }> {
  const seen = new Map<string, RouteLease>();
  // An instance (`web#2`) is reached through its service's front port, which has the name.
  for (const lease of leases) if (!seen.has(lease.service) && !lease.service.includes(INSTANCE_SEPARATOR)) seen.set(lease.service, lease);
  const out: Array<{ lease: RouteLease; kind: ServiceKind }> = [];
  for (const s of facts.services ?? []) {
    const lease = seen.get(s.name);
    if (!lease) continue;
    seen.delete(s.name);
    if (WEB_KINDS.has(s.kind)) out.push({ lease, kind: s.kind });
  }
  for (const lease of seen.values()) out.push({ lease, kind: 'http' });
  return out;
}

/** One label per service name; two names that make the same label (`api_v1`, `api-v1`) are told apart by a hash. */
function serviceLabels(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let label = dnsLabel(n, 'service');
    if (used.has(label)) label = `${label}-${shortHash(n)}`;
    used.add(label);
    return label;
  });
}
