// The surface of the port engine that the rest of the host uses. Beside this file: the engine and
// its I/O (port probe, lease registry, lock); its pure planning (planner, stack model, strategies,
// explanations) is in plan/.
import type { StackConfig, Strategy } from '../../protocol/config';
import type { PortHolder, Reason } from '../../protocol/model';

export interface Assignment {
  service: string;
  port: number;
  reason: Reason;
  /** One sentence a person reads: "3000 is held by pid 1234 (vite), assigned 3001". */
  explanation: string;
  /** Set on `moved` and on fallbacks caused by a foreign or managed holder. */
  holder?: PortHolder;
  previousPort?: number;
}

export type EngineEvent =
  | { type: 'assigned'; assignment: Assignment }
  | { type: 'moved'; assignment: Assignment; from: number }
  | { type: 'released'; service: string; port: number }
  | { type: 'allocationFailed'; service: string; message: string };

/** Answers whether a port is taken on this machine (IPv4 and IPv6, loopback and wildcard) and by whom. */
export interface PortProbe {
  isFree(port: number): Promise<boolean>;
  /** pid, start time and command line from /proc where the OS tells, `{}` where not; null when the port is free. */
  holder(port: number): Promise<PortHolder | null>;
}

export interface PortEngineApi {
  readonly strategy: Strategy;
  /** Allocate every service of the stack (parents before inheritors); emits one event per assignment. */
  allocateAll(): Promise<Map<string, Assignment>>;
  /** Replace the stack (a new manito.json): keeps ports still valid, allocates new services, releases removed ones. */
  reconfigure(stack: StackConfig): Promise<Map<string, Assignment>>;
  /** Record that a service found already running on `port` is adopted (reason `detected_running`). */
  adopt(service: string, port: number, explanation: string): Promise<Assignment>;
  /** Put a root service back on its first preferred port; rejects, leaving it where it is, when that port is not free. */
  moveBack(service: string): Promise<Assignment>;
  /** Running services are never moved by self-healing; stopped ones may be (and minimal moves them first). */
  setRunning(service: string, running: boolean): void;
  /** Check assigned ports of services that are not running; reassign those a foreign process took. */
  heal(): Promise<Assignment[]>;
  get(service: string): Assignment | undefined;
  all(): Map<string, Assignment>;
  /** Allocation error of a service (strict service whose preferred ports are all held), if any. */
  errorOf(service: string): string | undefined;
  on(listener: (event: EngineEvent) => void): () => void;
  /**
   * Release every lease this engine holds; with `handOver`, leave them for the next engine of the
   * same workspace to take over (as a dead host's leases are), e.g. across a host restart.
   */
  dispose(options?: { handOver?: boolean }): Promise<void>;
}
