// The "usage" record of one workspace: which ports its services wanted and found taken, by whom
// and how often. Kept by the host across restarts (server/metrics/usageStore.ts); plain data, for
// the dashboard's usage view.

/** Who held the port, as far as the host could tell. */
export type UsageHolderKind = 'process' | 'service' | 'workspace' | 'unknown';

export interface UsageHolder {
  kind: UsageHolderKind;
  /** The last pid seen; pids change across restarts, so a process is known by its command. */
  pid?: number;
  command?: string;
  /** `service`: a service of this stack; `workspace`: a service of another workspace's host. */
  service?: string;
  workspace?: string;
  count: number;
  lastSeen: string;
}

/** How the port was contested: a fallback at allocation, a move of a running stack, or no port at all. */
export type ContestCause = 'fallback' | 'moved' | 'failed';

export interface PortUsage {
  port: number;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** The services of this workspace that wanted the port, with how often each. */
  services: Array<{ service: string; count: number }>;
  causes: Partial<Record<ContestCause, number>>;
  /** Most recent first. */
  holders: UsageHolder[];
}

/** Whether an event adds to the usage record (a port found taken): the usage view is refreshed after it. */
export function isContestEvent(event: { type: string; reason?: string }): boolean {
  return event.type === 'moved' || event.type === 'allocationFailed' || (event.type === 'assigned' && event.reason === 'fallback');
}

export interface UsageReport {
  workspace: string;
  /** Most contested first. */
  ports: PortUsage[];
}
