// Turns the planner's record of a decision into the one sentence a person reads ("3000 is held by
// pid 1234 (node server.js), assigned 3001") and the holder the event carries. A listener's holder
// is looked up (a /proc walk, injected) only for the ports that were busy.
import type { Strategy } from '../../../protocol/config';
import type { PortHolder } from '../../../protocol/model';
import type { Blocker, Placement, Skip } from './planner';

export type HolderLookup = (port: number) => Promise<PortHolder | null>;
/** How this workspace names another one, when it is more than a path ("worktree ../app (branch b)"); injected: it reads .git. */
export type WorkspaceNamer = (workspace: string) => string | undefined;

/** Resolves each port's holder once per explanation pass. */
export class HolderCache {
  private readonly seen = new Map<number, Promise<PortHolder>>();
  constructor(private readonly lookup: HolderLookup, readonly nameWorkspace: WorkspaceNamer = () => undefined) {}
  get(port: number): Promise<PortHolder> {
    let p = this.seen.get(port);
    if (!p) {
      // Freed since the plan saw it busy, or the lookup failed: still "another process" for the sentence.
      p = this.lookup(port).then((h) => h ?? {}, () => ({}));
      this.seen.set(port, p);
    }
    return p;
  }
}

export function describeHolder(holder: PortHolder | null | undefined): string {
  if (holder?.service && holder.worktree !== undefined && holder.pid !== undefined) {
    return `${holder.worktree} for ${holder.service} (Manito host pid ${holder.pid})`;
  }
  if (holder?.service && holder.workspace !== undefined && holder.pid !== undefined) {
    return `${holder.service} of ${holder.workspace} (Manito host pid ${holder.pid})`;
  }
  if (holder?.service) return holder.service;
  if (holder?.pid !== undefined) return holder.command ? `pid ${holder.pid} (${holder.command})` : `pid ${holder.pid}`;
  return 'another process';
}

/** Holders of the listening ports a sentence names, looked up before it is composed. */
type Listeners = ReadonlyMap<number, PortHolder>;

function holderOf(port: number, blocker: Blocker, listeners: Listeners, holders: HolderCache): PortHolder {
  switch (blocker.kind) {
    case 'service': return { service: blocker.service };
    case 'lease': {
      const { pid, startTime, service, workspace } = blocker.lease;
      const worktree = holders.nameWorkspace(workspace);
      return { pid, ...(startTime === undefined ? {} : { startTime }), service, workspace, ...(worktree === undefined ? {} : { worktree }) };
    }
    case 'listener': return listeners.get(port) ?? {};
  }
}

/** The ports whose holder only the OS can name: the rest is known from the plan. */
async function lookUp(p: Pick<Placement, 'skipped' | 'stolenBy' | 'previousPort'>, holders: HolderCache): Promise<Listeners> {
  const ports = p.skipped.filter((s) => s.blocker.kind === 'listener').map((s) => s.port);
  if (p.stolenBy?.kind === 'listener' && p.previousPort !== undefined) ports.push(p.previousPort);
  const found = new Map<number, PortHolder>();
  for (const port of ports) found.set(port, await holders.get(port));
  return found;
}

/** "3000 is held by pid 1234 (vite), 3001 by client"; the first holder is returned for the event. */
function describeSkips(skipped: Skip[], listeners: Listeners, holders: HolderCache): { text: string; first?: PortHolder } {
  const parts: string[] = [];
  let first: PortHolder | undefined;
  for (const s of skipped) {
    const h = holderOf(s.port, s.blocker, listeners, holders);
    first ??= h;
    parts.push(parts.length === 0 ? `${s.port} is held by ${describeHolder(h)}` : `${s.port} by ${describeHolder(h)}`);
  }
  return { text: parts.join(', '), ...(first ? { first } : {}) };
}

export interface Explained {
  explanation: string;
  holder?: PortHolder;
}

export async function explainPlacement(name: string, p: Placement, strategy: Strategy, holders: HolderCache): Promise<Explained> {
  if (p.given) return { explanation: p.given, ...(p.givenHolder ? { holder: p.givenHolder } : {}) };
  if (p.handedOver) {
    const kept = `${name} keeps ${p.port} from this workspace's previous host`;
    const gone = p.handedOver.exited;
    // The exited holder stays attached, so the host can offer the move back to the port it held.
    return { explanation: gone ? `${kept}; ${describeHolder(gone)}, which held the port it wanted then, has exited` : kept, ...(gone ? { holder: gone } : {}) };
  }
  const listeners = await lookUp(p, holders);
  if (p.stolenBy && p.previousPort !== undefined) {
    const h = holderOf(p.previousPort, p.stolenBy, listeners, holders);
    return { explanation: `${p.previousPort} was taken by ${describeHolder(h)}; ${name} moved to ${p.port}`, holder: h };
  }
  if (p.displacedBy && p.previousPort !== undefined) {
    const { service, why } = p.displacedBy;
    const reason = why === 'strict' ? `${service} is strict and needed ${p.previousPort}`
      : why === 'detected' ? `${service} was found running on ${p.previousPort}`
      : `${service} took ${p.previousPort} (${strategy} strategy)`;
    return { explanation: `${reason}; ${name} moved to ${p.port}`, holder: { service } };
  }
  const { text, first } = describeSkips(p.skipped, listeners, holders);
  const withHolder = (explanation: string): Explained => (first ? { explanation, holder: first } : { explanation });
  if (p.took) {
    const took = `took ${p.port} from ${p.took.service}, which moved to ${p.took.to} (${strategy} strategy)`;
    return { explanation: text ? `${text}; ${took}` : took, holder: { service: p.took.service } };
  }
  if (p.sticky) {
    const kept = `${name} keeps ${p.port}, its port in this workspace last time`;
    return text ? withHolder(`${text}; ${kept}`) : { explanation: kept };
  }
  if (p.scanned) {
    const avoided = p.avoided?.length ? `, skipping the preferred ports of ${p.avoided.join(', ')}` : '';
    if (!text) return { explanation: `${name} has no preferred port; assigned ${p.port}${avoided}` };
    return withHolder(`${text}; fell back to ${p.port}${avoided}`);
  }
  // A later port of the preferred list: "9090 is held by pid 123 (prometheus), assigned 9091".
  if (text) return withHolder(`${text}, assigned ${p.port}`);
  return { explanation: `${p.port} is ${name}'s first preferred port` };
}

export async function explainFailure(name: string, skipped: Skip[], strict: boolean, holders: HolderCache): Promise<string> {
  const { text } = describeSkips(skipped, await lookUp({ skipped }, holders), holders);
  if (strict) return `${name} is strict and none of its preferred ports is free: ${text || 'it has none'}`;
  return `no free port left for ${name}${text ? ` (${text})` : ''}`;
}
