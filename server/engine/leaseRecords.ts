// Turns a plan into this engine's leases in the shared registry: one lease per service (an
// inheritor holds its root's port too, so other hosts see who uses it), kept as it was when the
// port did not change, and carrying the reason and sentence a successor needs to take it over.
import type { Explained } from './explain';
import { explainPlacementNow } from './explain';
import { dropSuperseded, type LeaseNotes } from './handover';
import { OWN_START_TIME, type Lease } from './leaseRegistry';
import type { Placement } from './planner';
import type { StackModel } from './stackModel';

export interface LeaseOwner {
  owner: string;
  workspace: string;
  /** When new leases start, as an ISO time. */
  since: string;
  notes: LeaseNotes;
}

/**
 * Rewrites `leases` in place: every other owner's as they were, then this owner's for the plan.
 * Returns the sentences composed for the notes, so the assignments can reuse them; a sentence
 * that needs a holder looked up in /proc is left to a later, separate write (portEngine).
 */
export function recordPlan(leases: Lease[], orphans: Lease[], model: StackModel, placements: ReadonlyMap<string, Placement>, who: LeaseOwner): Map<string, Explained> {
  const composed = new Map<string, Explained>();
  const mine = new Map<string, Lease>();
  const keep: Lease[] = [];
  for (const l of leases) {
    if (l.owner !== who.owner) keep.push(l);
    else if (!mine.has(l.service)) mine.set(l.service, l);
  }
  for (const name of [...model.roots, ...model.inheritors]) {
    const svc = model.services.get(name)!;
    const p = placements.get(svc.root ?? name);
    if (!p) continue;
    const quick = svc.root ? { explanation: `inherits ${svc.parent}'s port ${p.port}` } : explainPlacementNow(name, p, model.strategy);
    const reason = svc.root ? 'inherited' : p.reason;
    const had = mine.get(name);
    let lease: Lease;
    if (had && had.port === p.port) {
      lease = had;
      if (quick) Object.assign(lease, { reason, explanation: quick.explanation });
    } else {
      lease = {
        port: p.port, service: name, workspace: who.workspace, pid: process.pid, startTime: OWN_START_TIME, owner: who.owner, since: who.since,
        reason: quick ? reason : undefined, explanation: quick?.explanation,
      };
    }
    if (quick && !svc.root) {
      composed.set(name, quick);
      who.notes.written(lease);
    }
    keep.push(lease);
  }
  leases.splice(0, leases.length, ...keep);
  dropSuperseded(orphans, who.workspace, new Set(keep.filter((l) => l.owner === who.owner).map((l) => l.service)));
  return composed;
}
