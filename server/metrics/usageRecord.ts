// The usage record's rules, pure: how one contest is counted, the bounds that keep a workspace's
// record small (fewest-seen ports and holders go first), and how a stored file is read back
// totally (a malformed entry is dropped, never trusted).
import type { PortHolder } from '../../protocol/model';
import type { ContestCause, PortUsage, UsageHolder, UsageHolderKind, UsageReport } from '../../protocol/usage';

export const USAGE_LIMITS = {
  ports: 64,
  holdersPerPort: 8,
  servicesPerPort: 16,
  textChars: 256,
  fileBytes: 1024 * 1024,
} as const;

/** One observation: `service` wanted `port` and found it taken. */
export interface Contest {
  port: number;
  service: string;
  cause: ContestCause;
  holder?: PortHolder;
}

const CAUSES: readonly ContestCause[] = ['fallback', 'moved', 'failed'];

export function holderKind(holder: PortHolder | undefined): UsageHolderKind {
  if (!holder) return 'unknown';
  if (holder.workspace !== undefined && holder.service !== undefined) return 'workspace';
  if (holder.service !== undefined) return 'service';
  if (holder.pid !== undefined || holder.command !== undefined) return 'process';
  return 'unknown';
}

const clip = (text: string) => (text.length > USAGE_LIMITS.textChars ? `${text.slice(0, USAGE_LIMITS.textChars - 1)}…` : text);

/** Who a holder is across restarts: a process by its command (its pid changes), a service by name. */
function holderKey(h: Pick<UsageHolder, 'kind' | 'pid' | 'command' | 'service' | 'workspace'>): string {
  switch (h.kind) {
    case 'process': return `process\u0000${h.command ?? `pid ${h.pid}`}`;
    case 'service': return `service\u0000${h.service}`;
    case 'workspace': return `workspace\u0000${h.workspace}\u0000${h.service}`;
    default: return 'unknown';
  }
}

/** Drops the entries seen least (then longest ago) until `max` remain. */
function keepTop<T extends { count: number; lastSeen: string }>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return [...items].sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen)).slice(0, max);
}

/** Counts `contest` into `ports` (mutated) at time `now`, within the bounds. */
export function countContest(ports: Map<number, PortUsage>, contest: Contest, now: Date): void {
  const at = now.toISOString();
  let entry = ports.get(contest.port);
  if (!entry) {
    entry = { port: contest.port, count: 0, firstSeen: at, lastSeen: at, services: [], causes: {}, holders: [] };
    ports.set(contest.port, entry);
  }
  entry.count++;
  entry.lastSeen = at;
  entry.causes[contest.cause] = (entry.causes[contest.cause] ?? 0) + 1;
  const service = clip(contest.service);
  const wanted = entry.services.find((s) => s.service === service);
  if (wanted) wanted.count++;
  else entry.services.push({ service, count: 1 });
  // Past the bound the fewest-seen service goes (a newcomer ties last: stable sort keeps it last).
  entry.services.sort((a, b) => b.count - a.count);
  entry.services.length = Math.min(entry.services.length, USAGE_LIMITS.servicesPerPort);

  const h = contest.holder;
  const seen: UsageHolder = { kind: holderKind(h), count: 1, lastSeen: at };
  if (h?.pid !== undefined) seen.pid = h.pid;
  if (h?.command !== undefined) seen.command = clip(h.command);
  if (h?.service !== undefined) seen.service = clip(h.service);
  if (h?.workspace !== undefined) seen.workspace = clip(h.workspace);
  const key = holderKey(seen);
  const known = entry.holders.find((x) => holderKey(x) === key);
  if (known) Object.assign(known, { ...seen, count: known.count + 1 });
  entry.holders = keepTop(known ? entry.holders : [...entry.holders, seen], USAGE_LIMITS.holdersPerPort)
    .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));

  if (ports.size > USAGE_LIMITS.ports) {
    const keep = new Set(keepTop([...ports.values()], USAGE_LIMITS.ports).map((p) => p.port));
    for (const port of ports.keys()) if (!keep.has(port)) ports.delete(port);
  }
}

export function usageReport(workspace: string, ports: Map<number, PortUsage>): UsageReport {
  const sorted = [...ports.values()].sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen) || a.port - b.port);
  return { workspace, ports: structuredClone(sorted) };
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isTime = (v: unknown): v is string => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= USAGE_LIMITS.textChars;
const KINDS: readonly UsageHolderKind[] = ['process', 'service', 'workspace', 'unknown'];

function readHolder(raw: unknown): UsageHolder | undefined {
  const r = raw as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || !KINDS.includes(r.kind as UsageHolderKind) || !isCount(r.count) || !isTime(r.lastSeen)) return undefined;
  const holder: UsageHolder = { kind: r.kind as UsageHolderKind, count: r.count, lastSeen: r.lastSeen };
  if (isCount(r.pid)) holder.pid = r.pid;
  for (const key of ['command', 'service', 'workspace'] as const) if (isText(r[key])) holder[key] = r[key];
  return holder;
}

function readPort(raw: unknown): PortUsage | undefined {
  const r = raw as Record<string, unknown>;
  if (typeof r !== 'object' || r === null) return undefined;
  if (!Number.isInteger(r.port) || (r.port as number) < 1 || (r.port as number) > 65535) return undefined;
  if (!isCount(r.count) || !isTime(r.firstSeen) || !isTime(r.lastSeen)) return undefined;
  const services = Array.isArray(r.services) ? r.services.slice(0, USAGE_LIMITS.servicesPerPort).flatMap((s: { service?: unknown; count?: unknown }) =>
    typeof s === 'object' && s !== null && isText(s.service) && isCount(s.count) ? [{ service: s.service, count: s.count }] : []) : [];
  const causes: PortUsage['causes'] = {};
  const rawCauses = (typeof r.causes === 'object' && r.causes !== null ? r.causes : {}) as Record<string, unknown>;
  for (const cause of CAUSES) if (isCount(rawCauses[cause])) causes[cause] = rawCauses[cause];
  const holders = Array.isArray(r.holders) ? r.holders.slice(0, USAGE_LIMITS.holdersPerPort).flatMap((h) => readHolder(h) ?? []) : [];
  return { port: r.port as number, count: r.count, firstSeen: r.firstSeen, lastSeen: r.lastSeen, services, causes, holders };
}

/**
 * Reads a stored record of `workspace`. Throws (with a sentence) when the file is not one: not
 * JSON, another version, another workspace's. Malformed entries inside a good file are dropped.
 */
export function parseUsageFile(text: string, workspace: string): Map<number, PortUsage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  const r = raw as { version?: unknown; workspace?: unknown; ports?: unknown };
  if (typeof r !== 'object' || r === null || r.version !== 1) throw new Error('not a version 1 usage record');
  if (r.workspace !== workspace) throw new Error(`it records another workspace (${String(r.workspace).slice(0, 200)})`);
  if (!Array.isArray(r.ports)) throw new Error('it has no ports list');
  const ports = new Map<number, PortUsage>();
  for (const entry of r.ports.slice(0, USAGE_LIMITS.ports)) {
    const port = readPort(entry);
    if (port && !ports.has(port.port)) ports.set(port.port, port);
  }
  return ports;
}

export function serializeUsage(workspace: string, ports: Map<number, PortUsage>): string {
  return `${JSON.stringify({ version: 1, workspace, ports: usageReport(workspace, ports).ports }, null, 1)}\n`;
}
