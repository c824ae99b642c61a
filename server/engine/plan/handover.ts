// A new host of a workspace takes over the leases its predecessor left (killed, or handed over at a
// clean restart): the same port and reason, because the services it launched may still be
// listening there. The sentence comes over too while it is still true: while the holder it names
// still runs. Leases of other workspaces' dead hosts are not taken over; they only stop blocking
// anyone (the registry keeps them as orphans).
import type { PortHolder } from '../../../protocol/model';
import type { Lease } from './lease';
import type { Placement, Planner } from './planner';
import type { StackModel } from './stackModel';

/** Whether the process a holder names still runs (its pid, and its start time where recorded). */
export type HolderAlive = (pid: number, startTime?: number) => boolean;

/**
 * Places root service `name` on the port the workspace's previous host leased for it, when that
 * port is still valid for it and no other live lease or service of the stack holds it.
 * A listener on the port does not stop it: most likely that is the service itself, still running.
 */
export function takeOver(name: string, model: StackModel, planner: Planner, workspace: string, orphans: readonly Lease[], others: ReadonlyMap<number, Lease>, alive: HolderAlive): boolean {
  const svc = model.services.get(name);
  if (!svc || svc.root) return false;
  let lease: Lease | undefined;
  for (const l of orphans) if (l.workspace === workspace && l.service === name) lease = l; // the latest
  if (!lease) return false;
  // "Found already running" was true of a process the previous host saw; this host looks again
  // (detection runs right after allocation) instead of repeating a sentence that may name a dead pid.
  if (lease.reason === 'detected_running') return false;
  const valid = svc.preferred.includes(lease.port) || (!svc.strict && !svc.avoid.has(lease.port));
  if (!valid || others.has(lease.port) || planner.portOwner(lease.port) !== undefined) return false;
  const reason = lease.reason && lease.reason !== 'inherited' ? lease.reason : 'preferred';
  planner.set(name, { port: lease.port, reason, skipped: [], ...sentence(lease, alive) });
  return true;
}

/**
 * The predecessor's sentence when it is still true: it names no process, names a service of the
 * stack, or names a process that still runs. Otherwise the port is simply kept, and a holder that
 * has exited is said to be gone. A holder without a pid ("another process") cannot be checked.
 */
function sentence(lease: Lease, alive: HolderAlive): Pick<Placement, 'given' | 'givenHolder' | 'handedOver'> {
  if (!lease.explanation) return { handedOver: {} };
  const holder = wellFormed(lease.holder);
  if (!holder || (holder.pid === undefined && holder.service !== undefined)) {
    return { given: lease.explanation, ...(holder ? { givenHolder: holder } : {}) };
  }
  if (holder.pid === undefined) return { handedOver: {} };
  if (alive(holder.pid, holder.startTime)) return { given: lease.explanation, givenHolder: holder };
  return { handedOver: { exited: holder } };
}

/** A lease file is shared and may be hand-edited: only a well-formed holder is carried over. */
function wellFormed(raw: unknown): PortHolder | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const h = raw as Record<string, unknown>;
  const holder: PortHolder = {};
  if (Number.isInteger(h.pid) && (h.pid as number) > 0) holder.pid = h.pid as number;
  if (Number.isInteger(h.startTime) && (h.startTime as number) >= 0) holder.startTime = h.startTime as number;
  for (const key of ['command', 'service', 'workspace'] as const) if (typeof h[key] === 'string') holder[key] = h[key] as string;
  return holder;
}

/** Drops the workspace's orphans for services this engine now holds leases for (taken over or superseded). */
export function dropSuperseded(orphans: Lease[], workspace: string, held: ReadonlySet<string>): void {
  for (let i = orphans.length - 1; i >= 0; i--) {
    if (orphans[i].workspace === workspace && held.has(orphans[i].service)) orphans.splice(i, 1);
  }
}

const MAX_ORPHANS = 256;

/**
 * The registry's rule for orphans, applied on every read: one per service of a workspace (the
 * latest), none on a port a live lease now holds (whoever took it won), and a bounded list.
 */
export function settleOrphans(orphans: readonly Lease[], live: readonly Lease[]): Lease[] {
  const taken = new Set(live.map((l) => l.port));
  const latest = new Map<string, Lease>();
  for (const o of orphans) {
    const key = `${o.workspace}\n${o.service}`;
    latest.delete(key); // re-inserted last, so the map keeps the newest order
    if (!taken.has(o.port)) latest.set(key, o);
  }
  return [...latest.values()].slice(-MAX_ORPHANS);
}
