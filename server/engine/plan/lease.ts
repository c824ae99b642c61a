// One lease of the shared registry (leaseRegistry.ts): which host holds which port for which
// service, and the notes a successor of the same workspace needs to take it over (handover.ts).
import type { PortHolder, Reason } from '../../../protocol/model';

export interface Lease {
  port: number;
  service: string;
  workspace: string;
  /** The host process that holds the lease. */
  pid: number;
  /** Kernel start time of `pid`, so a reused pid does not keep a dead host's leases alive. */
  startTime?: number;
  /** One engine instance: a process may run several engines (one per workspace). */
  owner: string;
  since: string;
  /** The assignment's reason and sentence, written with the plan, for the next host of the workspace. */
  reason?: Reason;
  explanation?: string;
  /** Who held the port the explanation names, with its start time, so a successor can tell whether it still runs. */
  holder?: PortHolder;
}
