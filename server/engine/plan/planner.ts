// Decides ports for one stack inside one registry transaction: the first free preferred port,
// the strategies' rules when a preferred port is held by another service of the same stack, and
// the conflict-aware fallback. It only records why (who blocked which port); explain.ts turns
// that into sentences. What is outside the stack (other hosts' leases, listeners) it asks through
// the context, so it holds no I/O of its own.
import type { PortHolder, Reason } from '../../../protocol/model';
import type { Lease } from './lease';
import type { PlanService, StackModel } from './stackModel';

/** Where a service without preferred ports starts looking: above the usual dev server ports. */
export const FALLBACK_BASE = 8000;
const LOWEST_FALLBACK = 1024;

export type Blocker =
  | { kind: 'service'; service: string }
  | { kind: 'lease'; lease: Lease }
  | { kind: 'listener' };

export interface Skip {
  port: number;
  blocker: Blocker;
}

export interface Placement {
  port: number;
  reason: Reason;
  /** Preferred ports passed over before this one, and who held each. */
  skipped: Skip[];
  /** Found by scanning beyond the preferred list (not one of its later ports). */
  scanned?: boolean;
  /** On a scan: the conflicting services whose preferred ports were stepped over. */
  avoided?: string[];
  /** This service took its port from another service of the stack, which moved to `to`. */
  took?: { service: string; to: number };
  /** This service was moved off `previousPort` because `service` needed it (and why it could). */
  displacedBy?: { service: string; why: 'strict' | 'strategy' | 'detected' };
  /** This service was moved off `previousPort` because something outside the stack took it. */
  stolenBy?: Blocker;
  previousPort?: number;
  /** Adopted, or taken over from a predecessor's lease: the sentence as it was given. */
  given?: string;
  /** The holder that sentence names, kept with it (a taken-over fallback's "held by pid ..."). */
  givenHolder?: PortHolder;
  /** Taken over from a predecessor's lease whose sentence no longer holds; `exited`: the holder it named is gone. */
  handedOver?: { exited?: PortHolder };
  /** The port this workspace had last time (plan/memory.ts), kept although an earlier preferred one may be free. */
  sticky?: true;
}

export interface PlannerContext {
  model: StackModel;
  /** Current placements of root services; the planner edits this map in place. */
  placements: Map<string, Placement>;
  running: ReadonlySet<string>;
  /** Who outside this stack holds a port: a lease of another engine, or a listening process. */
  outside(port: number): Promise<Blocker | null>;
  /** The port a root service had in this workspace last time, if still valid for it (plan/memory.ts). */
  remembered?(name: string): number | undefined;
}

type Found = Pick<Placement, 'port' | 'reason' | 'skipped' | 'scanned' | 'avoided'>;

/**
 * Only a service's first preferred port is `preferred`; any later port of its list, or one found
 * by scanning, is a `fallback` (the explanation names what held the ports before it).
 */
const reasonAt = (index: number): Placement['reason'] => (index === 0 ? 'preferred' : 'fallback');

export class Planner {
  /** Services that could not be given a port, with the preferred ports that were held. */
  readonly failures = new Map<string, Skip[]>();
  private readonly byPort = new Map<number, string>();

  constructor(private readonly ctx: PlannerContext) {
    for (const [name, p] of ctx.placements) this.byPort.set(p.port, name);
  }

  portOwner(port: number): string | undefined {
    return this.byPort.get(port);
  }

  set(name: string, placement: Placement): void {
    this.unset(name);
    this.ctx.placements.set(name, placement);
    this.byPort.set(placement.port, name);
    this.failures.delete(name);
  }

  unset(name: string): void {
    const old = this.ctx.placements.get(name);
    if (old && this.byPort.get(old.port) === name) this.byPort.delete(old.port);
    this.ctx.placements.delete(name);
  }

  /** Who holds `port` against service `self`: another service of the stack first, else whoever is outside. */
  async blocker(port: number, self: string): Promise<Blocker | null> {
    const owner = this.byPort.get(port);
    if (owner !== undefined && owner !== self) return { kind: 'service', service: owner };
    return this.ctx.outside(port);
  }

  /** Gives a root service a port by the stack's strategy; false (and a failure) when none fits. */
  async place(name: string, extra: Partial<Placement> = {}): Promise<boolean> {
    const svc = this.service(name);
    this.unset(name);
    if (await this.placeRemembered(svc, extra)) return true;
    const strategy = this.ctx.model.strategy;
    const skipped: Skip[] = [];
    for (let i = 0; i < svc.preferred.length; i++) {
      const port = svc.preferred[i];
      const b = await this.blocker(port, name);
      if (!b) return this.commit(name, { port, reason: reasonAt(i), skipped, ...extra });
      // aggressive: the requester's first preferred port wins over a holder of the same stack.
      if (strategy === 'aggressive' && b.kind === 'service') {
        const to = await this.displace(b.service, port, name, 'strategy');
        if (to !== null) return this.commit(name, { port, reason: reasonAt(i), skipped, took: { service: b.service, to }, ...extra });
      }
      skipped.push({ port, blocker: b });
    }
    // minimal: move a holder only when the requester must have a preferred port, only a holder
    // that is not strict itself, and a stopped holder before a running one.
    if (strategy === 'minimal' && svc.strict) {
      const movable = skipped
        .filter((s): s is Skip & { blocker: { kind: 'service'; service: string } } =>
          s.blocker.kind === 'service' && !this.service(s.blocker.service).strict)
        .sort((a, b) => Number(this.ctx.running.has(a.blocker.service)) - Number(this.ctx.running.has(b.blocker.service)));
      for (const s of movable) {
        const to = await this.displace(s.blocker.service, s.port, name, 'strict');
        if (to !== null) {
          const before = skipped.slice(0, skipped.indexOf(s));
          return this.commit(name, { port: s.port, reason: reasonAt(svc.preferred.indexOf(s.port)), skipped: before, took: { service: s.blocker.service, to }, ...extra });
        }
      }
    }
    if (svc.strict) {
      this.failures.set(name, skipped);
      return false;
    }
    const found = await this.fallback(svc, skipped);
    if (!found) {
      this.failures.set(name, skipped);
      return false;
    }
    return this.commit(name, { ...found, ...extra });
  }

  /**
   * The workspace's port from last time, when nothing holds it now: the same worktree keeps the
   * same ports from one day to the next. The preferred ports before it that are held are recorded,
   * so the explanation names who holds them (another worktree, say).
   */
  private async placeRemembered(svc: PlanService, extra: Partial<Placement>): Promise<boolean> {
    const port = this.ctx.remembered?.(svc.name);
    if (port === undefined || (await this.blocker(port, svc.name))) return false;
    const index = svc.preferred.indexOf(port);
    const skipped: Skip[] = [];
    for (const earlier of index < 0 ? svc.preferred : svc.preferred.slice(0, index)) {
      const b = await this.blocker(earlier, svc.name);
      if (b) skipped.push({ port: earlier, blocker: b });
    }
    const reason = index === 0 ? 'preferred' : 'fallback';
    return this.commit(svc.name, { port, reason, skipped, ...(index === 0 ? {} : { sticky: true as const }), ...extra });
  }

  /** The first free preferred port, else the fallback; never moves anyone. */
  async nextFree(svc: PlanService): Promise<Found | null> {
    const skipped: Skip[] = [];
    for (let i = 0; i < svc.preferred.length; i++) {
      const port = svc.preferred[i];
      const b = await this.blocker(port, svc.name);
      if (!b) return { port, reason: reasonAt(i), skipped };
      skipped.push({ port, blocker: b });
    }
    return svc.strict ? null : this.fallback(svc, skipped);
  }

  /**
   * Scans upward from the last preferred port, skipping the requester's own preferred ports and
   * every preferred port of a service it conflicts with, wrapping once to 1024.
   */
  private async fallback(svc: PlanService, skipped: Skip[]): Promise<Found | null> {
    const last = svc.preferred.length ? svc.preferred[svc.preferred.length - 1] : FALLBACK_BASE - 1;
    const own = new Set(svc.preferred);
    const avoided = new Set<string>();
    const start = Math.min(last + 1, 65535);
    for (let i = 0, port = start; i < 65536 - LOWEST_FALLBACK; i++, port = port >= 65535 ? LOWEST_FALLBACK : port + 1) {
      if (own.has(port)) continue;
      if (svc.avoid.has(port)) {
        for (const other of svc.avoidFrom) if (this.ctx.model.services.get(other)?.preferred.includes(port)) avoided.add(other);
        continue;
      }
      if (!(await this.blocker(port, svc.name))) return { port, reason: 'fallback', skipped, scanned: true, avoided: [...avoided] };
    }
    return null;
  }

  /**
   * Moves `holder` off `port` so that `requester` can have it. Returns the holder's new port, or
   * null (and leaves everything as it was) when the holder has nowhere valid to go.
   */
  private async displace(holder: string, port: number, requester: string, why: 'strict' | 'strategy'): Promise<number | null> {
    const h = this.service(holder);
    const old = this.ctx.placements.get(holder);
    if (!old) return null;
    this.unset(holder);
    this.byPort.set(port, requester); // reserve it, so the holder's search steps over it
    const found = await this.nextFree(h);
    this.byPort.delete(port);
    if (!found) {
      this.set(holder, old);
      return null;
    }
    this.set(holder, { ...found, reason: 'moved', previousPort: old.port, displacedBy: { service: requester, why } });
    return found.port;
  }

  private commit(name: string, placement: Placement): true {
    this.set(name, placement);
    return true;
  }

  private service(name: string): PlanService {
    const svc = this.ctx.model.services.get(name);
    if (!svc) throw new RangeError(`unknown service "${name}"`);
    return svc;
  }
}
