// A new host of a workspace takes over the leases its predecessor left (killed, or handed over at a
// clean restart): the same port, reason and explanation, because the services it launched may
// still be listening there in the editor's terminals. Leases of other workspaces' dead hosts are
// not taken over; they only stop blocking anyone (leaseRegistry keeps them as orphans).
import type { PortHolder } from '../../protocol/model';
import type { Assignment } from './engineApi';
import type { Lease, LeaseRegistry } from './leaseRegistry';
import type { Planner } from './planner';
import type { StackModel } from './stackModel';

/**
 * Places root service `name` on the port the workspace's previous host leased for it, when that
 * port is still valid for it and no other live lease or service of the stack holds it.
 * A listener on the port does not stop it: most likely that is the service itself, still running.
 */
export function takeOver(name: string, model: StackModel, planner: Planner, workspace: string, orphans: readonly Lease[], others: ReadonlyMap<number, Lease>): boolean {
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
  planner.set(name, {
    port: lease.port,
    reason: lease.reason && lease.reason !== 'inherited' ? lease.reason : 'preferred',
    skipped: [],
    ...(lease.explanation ? { given: lease.explanation } : {}),
    ...(lease.explanation && lease.holder ? holderNote(lease.holder) : {}),
  });
  return true;
}

/** A lease file is shared and may be hand-edited: only a well-formed holder is carried over. */
function holderNote(raw: unknown): { givenHolder?: PortHolder } {
  if (!raw || typeof raw !== 'object') return {};
  const h = raw as Record<string, unknown>;
  const holder: PortHolder = {};
  if (Number.isInteger(h.pid) && (h.pid as number) > 0) holder.pid = h.pid as number;
  for (const key of ['command', 'service', 'workspace'] as const) if (typeof h[key] === 'string') holder[key] = h[key] as string;
  return { givenHolder: holder };
}

/** Drops the workspace's orphans for services this engine now holds leases for (taken over or superseded). */
export function dropSuperseded(orphans: Lease[], workspace: string, held: ReadonlySet<string>): void {
  for (let i = orphans.length - 1; i >= 0; i--) {
    if (orphans[i].workspace === workspace && held.has(orphans[i].service)) orphans.splice(i, 1);
  }
}

/**
 * A window reload starts the new host before the old one has finished shutting down; the old
 * one's leases come free (handed over) when it does. Wait for that, briefly, rather than allocate
 * around them. Another host of the same workspace that stays (a headless `manito host`) costs one
 * bounded wait, after which its leases are respected as before.
 */
export async function awaitPredecessor(read: () => Lease[], workspace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const held = () => {
    try {
      return read().some((l) => l.workspace === workspace && l.pid !== process.pid);
    } catch {
      return false;
    }
  };
  while (held() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Writes each assignment's reason, explanation and holder into its lease, so a successor can take
 * it over word for word. A second, short transaction after the plan's, only when they changed: the
 * explanation is made after the plan's transaction (it reads /proc, which should not hold the lock).
 */
export class LeaseNotes {
  private wrote = new Map<string, string>();

  constructor(private readonly registry: LeaseRegistry, private readonly owner: string) {}

  /** A lease whose notes went out with the plan's own transaction. */
  written(lease: Lease): void {
    this.wrote.set(lease.service, noteKey(lease));
  }

  async record(assignments: ReadonlyMap<string, Assignment>): Promise<void> {
    // Inheritors are never taken over (they follow their parent), so their notes don't matter.
    const next = new Map([...assignments.values()].filter((a) => a.reason !== 'inherited').map((a) => [a.service, noteKey(a)]));
    if ([...next].every(([k, v]) => this.wrote.get(k) === v)) return;
    await this.registry.transact((leases) => {
      for (const l of leases) {
        const a = l.owner === this.owner ? assignments.get(l.service) : undefined;
        if (a && a.port === l.port) Object.assign(l, { reason: a.reason, explanation: a.explanation, holder: a.holder });
      }
    });
    this.wrote = next;
  }
}

/** What a lease's notes say; a change of any part is written. */
function noteKey(n: { port: number; reason?: string; explanation?: string; holder?: PortHolder }): string {
  return `${n.port}/${n.reason}/${n.explanation}/${n.holder ? JSON.stringify(n.holder) : ''}`;
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
