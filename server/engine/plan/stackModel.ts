// The stack reduced to what allocation needs, with the derived facts computed once: which
// services inherit from which root, in what order to place them, and which ports each service
// must never fall back onto (the preferred ports of every service it conflicts with).
import type { StackConfig, Strategy } from '../../../protocol/config';

export interface PlanService {
  name: string;
  preferred: number[];
  strict: boolean;
  /** Where the service's port comes from when it inherits; the root of the chain, not the direct parent. */
  root?: string;
  /** The direct parent, for explanations. */
  parent?: string;
  /** Preferred ports of the services it conflicts with (either side names the other). */
  avoid: ReadonlySet<number>;
  /** Names of those services, for explanations. */
  avoidFrom: string[];
}

export interface StackModel {
  strategy: Strategy;
  /** Declared order. */
  services: Map<string, PlanService>;
  /** Services with their own port, in declared order. */
  roots: string[];
  /** Inheritors, each after its parent. */
  inheritors: string[];
}

/** Shared by every service that conflicts with none: never added to. */
const NOTHING_TO_AVOID: ReadonlySet<number> = new Set();

/** Builds the model of an already validated stack. */
export function buildModel(stack: StackConfig): StackModel {
  const services = new Map<string, PlanService>();
  const entries = Object.entries(stack.services);
  // Root and depth of every service, each chain walked once (memoized): linear in the services.
  const chainOf = new Map<string, { root: string; depth: number }>();
  const rootOf = (name: string): { root: string; depth: number } => {
    const trail: string[] = [];
    let at = name;
    let known = chainOf.get(at);
    while (!known) {
      const parent = stack.services[at]?.inheritFrom;
      if (!parent || trail.length > entries.length || !Object.hasOwn(stack.services, parent)) { known = { root: at, depth: 0 }; chainOf.set(at, known); break; }
      trail.push(at);
      at = parent;
      known = chainOf.get(at);
    }
    for (let i = trail.length - 1; i >= 0; i--) chainOf.set(trail[i]!, { root: known.root, depth: known.depth + (trail.length - i) });
    return chainOf.get(name)!;
  };
  // Either side of a conflict names the other: who names whom, gathered in one pass rather than one per service.
  const namedBy = new Map<string, string[]>();
  for (const [name, c] of entries) {
    for (const other of c.conflicts ?? []) {
      const list = namedBy.get(other);
      if (list) list.push(name);
      else namedBy.set(other, [name]);
    }
  }
  for (const [name, config] of entries) {
    const by = namedBy.get(name);
    const mine = config.conflicts?.length || by ? new Set([...(config.conflicts ?? []), ...(by ?? [])]) : undefined;
    let avoid = NOTHING_TO_AVOID;
    if (mine) {
      const ports = new Set<number>();
      for (const other of mine) for (const p of stack.services[other]?.preferred ?? []) ports.add(p);
      avoid = ports;
    }
    const svc: PlanService = { name, preferred: config.preferred ? config.preferred.slice() : [], strict: config.strict === true, avoid, avoidFrom: mine ? [...mine] : [] };
    if (config.inheritFrom) {
      svc.root = rootOf(name).root;
      svc.parent = config.inheritFrom;
    }
    services.set(name, svc);
  }
  const roots = entries.filter(([, c]) => !c.inheritFrom).map(([n]) => n);
  // Parents before children: by depth in the chain, declared order within one depth (validation ruled out cycles).
  const inheritors = entries.filter(([, c]) => c.inheritFrom).map(([n]) => n);
  inheritors.sort((a, b) => rootOf(a).depth - rootOf(b).depth);
  return { strategy: stack.strategy ?? 'minimal', services, roots, inheritors };
}
