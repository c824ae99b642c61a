// The registry's memory of where each workspace's services were: one entry per (workspace path,
// service), written with every plan, so that a workspace reopened later (a worktree, a copy, the
// same folder tomorrow) gets the same ports while they are free, instead of whichever preferred
// port happens to be free first. Pure: the registry reads and writes it inside its transaction.
import type { Assignment } from '../engineApi';
import { isPort } from './portNumbers';
import type { PlanService, StackModel } from './stackModel';

export interface Remembered {
  workspace: string;
  service: string;
  port: number;
  /** The service's port settings when the port was given (portShape): changed settings mean the user wants other ports. */
  shape: string;
  /** When it was last confirmed, as an ISO time; the oldest go first when the memory is full. */
  since: string;
}

/** Enough for hundreds of worktrees of a few services each; older entries go first. */
export const MAX_REMEMBERED = 1024;

/** What of a service's settings decides its ports: its preferred list, strictness and the ports it must avoid. */
export function portShape(svc: PlanService): string {
  return `${svc.preferred.join(',')}|${svc.strict ? 'strict' : ''}|${[...svc.avoid].sort((a, b) => a - b).join(',')}`;
}

/** The port `service` of `workspace` had last time, when its port settings are still the same. */
export function rememberedPort(memory: readonly Remembered[], workspace: string, model: StackModel, service: string): number | undefined {
  const svc = model.services.get(service);
  if (!svc || svc.root) return undefined;
  const entry = memory.find((m) => m.workspace === workspace && m.service === service);
  return entry && entry.shape === portShape(svc) ? entry.port : undefined;
}

/** Which other workspace remembers `port` for a service, if any (the newest): for explanations. */
export function rememberedBy(memory: readonly Remembered[], port: number, except: string): Remembered | undefined {
  let found: Remembered | undefined;
  for (const m of memory) if (m.port === port && m.workspace !== except && (!found || m.since > found.since)) found = m;
  return found;
}

/** Records the plan's root ports for `workspace`, in place; inheritors follow their root and need no entry. */
export function remember(memory: Remembered[], workspace: string, model: StackModel, assignments: ReadonlyMap<string, Assignment>, since: string): void {
  for (const name of model.roots) {
    const a = assignments.get(name);
    const svc = model.services.get(name);
    if (!a || !svc) continue;
    const at = memory.findIndex((m) => m.workspace === workspace && m.service === name);
    const entry: Remembered = { workspace, service: name, port: a.port, shape: portShape(svc), since };
    if (at >= 0) {
      const old = memory[at];
      // Unchanged: keep the entry as it is, so a plan that moved nothing rewrites nothing.
      if (old.port === a.port && old.shape === entry.shape) continue;
      memory.splice(at, 1);
    }
    memory.push(entry);
  }
  if (memory.length > MAX_REMEMBERED) {
    memory.sort((x, y) => x.since.localeCompare(y.since));
    memory.splice(0, memory.length - MAX_REMEMBERED);
  }
}

/** The well-formed entries of a shared, possibly hand-edited file: one per (workspace, service), the last one. */
export function validMemory(list: unknown): Remembered[] {
  if (!Array.isArray(list)) return [];
  const byKey = new Map<string, Remembered>();
  for (const m of list as Partial<Remembered>[]) {
    if (!m || typeof m !== 'object' || !isPort(m.port) || typeof m.workspace !== 'string' || typeof m.service !== 'string') continue;
    if (typeof m.since !== 'string' || typeof m.shape !== 'string') continue;
    const key = `${m.workspace}\n${m.service}`;
    byKey.delete(key);
    byKey.set(key, { workspace: m.workspace, service: m.service, port: m.port, shape: m.shape, since: m.since });
  }
  return [...byKey.values()];
}
