// What a PortEngine is given (portEngine.ts): the stack, the workspace, where the shared leases are,
// and what tests inject (probe, clock, registry, naming of other workspaces).
import type { StackConfig } from '../../protocol/config';
import type { PortProbe } from './engineApi';
import type { LeaseRegistry } from './leaseRegistry';

export interface PortEngineOptions {
  /** Validated here: an invalid stack throws InvalidStackError listing every problem. */
  stack: StackConfig;
  /** Recorded in every lease, so other hosts can say whose port it is. */
  workspace: string;
  /** The shared lease file. Default: protocol leasesFile() (honours MANITO_STATE_DIR). */
  registryPath?: string;
  /** Instead of `registryPath`: a registry built elsewhere (tests inject pid liveness through it). */
  registry?: LeaseRegistry;
  /** Default: binds, holders named from /proc where there is one. */
  probe?: PortProbe;
  /** For lease timestamps. */
  clock?: () => number;
  /** A throwing event listener is reported here; default console.error. */
  onListenerError?: (error: unknown) => void;
  /** How long the first allocation waits for another live host of this workspace to hand its leases over. Default 3000. */
  handoverWaitMs?: number;
  /** Names another workspace in explanations ("worktree ../app (branch b)"). Default: read from git's files. */
  nameWorkspace?: (workspace: string) => string | undefined;
}
