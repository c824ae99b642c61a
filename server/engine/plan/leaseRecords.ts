// Turns a plan into this engine's leases in the shared registry: one lease per service (an
// inheritor holds its root's port too, so other hosts see who uses it), kept as it was when the
// port did not change, and carrying the reason, sentence and holder a successor needs to take it
// over, written in the same transaction as the plan.
import type { Assignment } from '../engineApi';
import { dropSuperseded } from './handover';
import type { Lease } from './lease';
import type { StackModel } from './stackModel';

export interface LeaseOwner {
  owner: string;
  workspace: string;
  pid: number;
  startTime?: number;
  /** When new leases start, as an ISO time. */
  since: string;
}

/** Rewrites `leases` in place: every other owner's as they were, then this owner's for the plan's assignments. */
export function recordPlan(leases: Lease[], orphans: Lease[], model: StackModel, assignments: ReadonlyMap<string, Assignment>, who: LeaseOwner): void {
  const mine = new Map<string, Lease>();
  const keep: Lease[] = [];
  for (const l of leases) {
    if (l.owner !== who.owner) keep.push(l);
    else if (!mine.has(l.service)) mine.set(l.service, l);
  }
  // Roots first: the first lease of a port is the one other hosts name.
  for (const name of [...model.roots, ...model.inheritors]) {
    const a = assignments.get(name);
    if (!a) continue;
    const had = mine.get(name);
    const lease: Lease = had && had.port === a.port ? had : {
      port: a.port, service: name, workspace: who.workspace, pid: who.pid, owner: who.owner, since: who.since,
      ...(who.startTime === undefined ? {} : { startTime: who.startTime }),
    };
    lease.reason = a.reason;
    lease.explanation = a.explanation;
    if (a.holder) lease.holder = a.holder;
    else delete lease.holder;
    keep.push(lease);
  }
  leases.splice(0, leases.length, ...keep);
  dropSuperseded(orphans, who.workspace, new Set(keep.filter((l) => l.owner === who.owner).map((l) => l.service)));
}
