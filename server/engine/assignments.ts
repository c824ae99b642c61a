// Turns a plan into the assignments the host shows and announces: an unchanged placement keeps
// its assignment object (so no event is sent for it), a new one gets its sentence and holder, and
// an inheritor follows its root, saying so when the root moved.
import type { Assignment } from './engineApi';
import { explainPlacement, type Explained, type HolderCache } from './explain';
import type { Placement } from './planner';
import type { StackModel } from './stackModel';

export interface PlanOutcome {
  model: StackModel;
  placements: ReadonlyMap<string, Placement>;
  /** Placements before the plan: one still the same object is unchanged. */
  previous: ReadonlyMap<string, Placement>;
  /** Assignments before the plan. */
  before: ReadonlyMap<string, Assignment>;
  /** Sentences already composed for the plan's leases (leaseRecords.ts). */
  composed: ReadonlyMap<string, Explained>;
  holders: HolderCache;
}

export async function assignmentsOf({ model, placements, previous, before, composed, holders }: PlanOutcome): Promise<Map<string, Assignment>> {
  const next = new Map<string, Assignment>();
  for (const name of model.roots) {
    const p = placements.get(name);
    if (!p) continue;
    const old = before.get(name);
    if (old && previous.get(name) === p) { next.set(name, old); continue; }
    const { explanation, holder } = composed.get(name) ?? await explainPlacement(name, p, model.strategy, holders);
    next.set(name, { service: name, port: p.port, reason: p.reason, explanation, ...(holder ? { holder } : {}), ...(old && old.port !== p.port ? { previousPort: old.port } : {}) });
  }
  for (const name of model.inheritors) {
    const svc = model.services.get(name)!;
    const root = next.get(svc.root!);
    if (!root) continue;
    const old = before.get(name);
    if (old && old.port === root.port && old.reason === 'inherited') { next.set(name, old); continue; }
    const explanation = old && old.port !== root.port
      ? `follows ${svc.parent} from ${old.port} to ${root.port}`
      : `inherits ${svc.parent}'s port ${root.port}`;
    next.set(name, { service: name, port: root.port, reason: 'inherited', explanation, ...(old && old.port !== root.port ? { previousPort: old.port } : {}) });
  }
  return next;
}
