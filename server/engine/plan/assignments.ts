// Turns a plan into the assignments the host shows and announces, and the errors of the services
// left without a port: an unchanged placement keeps its assignment object (so no event is sent
// for it), a new one gets its sentence and holder, and an inheritor follows its root, saying so
// when the root moved. The leases take their notes from these same assignments (leaseRecords.ts).
import type { Assignment } from '../engineApi';
import { explainFailure, explainPlacement, type HolderCache } from './explain';
import type { Placement, Skip } from './planner';
import type { StackModel } from './stackModel';

export interface PlanOutcome {
  model: StackModel;
  placements: ReadonlyMap<string, Placement>;
  /** Placements before the plan: one still the same object is unchanged. */
  previous: ReadonlyMap<string, Placement>;
  /** Assignments before the plan. */
  before: ReadonlyMap<string, Assignment>;
  /** The planner's failures: services without a port, with the preferred ports that were held. */
  failures: ReadonlyMap<string, Skip[]>;
  holders: HolderCache;
}

export interface Announced {
  assignments: Map<string, Assignment>;
  errors: Map<string, string>;
}

export async function assignmentsOf({ model, placements, previous, before, failures, holders }: PlanOutcome): Promise<Announced> {
  const next = new Map<string, Assignment>();
  for (const name of model.roots) {
    const p = placements.get(name);
    if (!p) continue;
    const old = before.get(name);
    if (old && previous.get(name) === p) { next.set(name, old); continue; }
    const { explanation, holder } = await explainPlacement(name, p, model.strategy, holders);
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
  const errors = new Map<string, string>();
  for (const [name, skipped] of failures) errors.set(name, await explainFailure(name, skipped, model.services.get(name)!.strict, holders));
  for (const name of model.inheritors) {
    const root = model.services.get(name)!.root!;
    if (!next.has(name) && errors.has(root)) errors.set(name, `${name} inherits its port from ${root}, which has none: ${errors.get(root)}`);
  }
  return { assignments: next, errors };
}
