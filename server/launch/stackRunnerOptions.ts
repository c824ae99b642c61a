// What a StackRunner is given (stackRunner.ts): the engine, the config, trust, health and the
// ownership checks around each launch; and the events it emits.
import type { StackConfig } from '../../protocol/config';
import type { EventBody } from '../../protocol/model';
import type { PortEngineApi } from '../engine/engineApi';
import type { ClaimResult } from '../detect/portClaim';
import type { ProcessRecord } from '../proc/processIdentity';
import type { LaunchedService, Launcher } from './launcher';

/** `stopping`: a stop was asked for; the health monitor stops expecting answers (not fed to subscribers). */
export type RunnerEvent = Extract<EventBody, { type: 'started' } | { type: 'stopped' }> | { type: 'stopping'; service: string };

export interface StackRunnerOptions {
  workspace: string;
  launcher: Launcher;
  engine: Pick<PortEngineApi, 'get' | 'all' | 'setRunning'> & Partial<Pick<PortEngineApi, 'errorOf'>>;
  /** The stack as it is now (re-read on every action, so a new manito.json applies to the next start). */
  config: () => StackConfig;
  trusted: () => boolean;
  /** Each service's URL for MANITO_<SERVICE>_URL (named first); none when absent. */
  urls?: () => ReadonlyMap<string, string>;
  /** Resolves true once the service is healthy, false after `timeoutMs`. */
  waitHealthy: (service: string, timeoutMs: number) => Promise<boolean>;
  /** A service found already running (not launched by us) is not started twice. */
  isDetected?: (service: string) => boolean;
  /**
   * Asked right before a launch (which may adopt a proven listener or move the service off a
   * foreign one), and after it, with the launched process's record, to verify the listener is the
   * service's own (server/detect/portClaim.ts).
   */
  claimPort?: (service: string, when: 'beforeLaunch' | 'afterLaunch', started?: readonly ProcessRecord[], quick?: boolean) => Promise<ClaimResult>;
  /** Records what was started, and forgets it when it ends (server/proc/processRecords.ts). */
  onLaunched?: (service: string, launched: LaunchedService, command: string) => void;
  /** Between listener checks after a launch. Default 150 ms. */
  verifyIntervalMs?: number;
  /** The process of a service adopted as external (found running, not started by Manito), to name and stop it. */
  external?: (service: string) => { pid: number; startTime?: number; command: string } | undefined;
  /** Stops an external process once the user confirmed (its tree, not its group). */
  stopExternal?: (pid: number, startTime: number | undefined) => Promise<void>;
  /** How long a dependency may take to become healthy. Default 60 s. */
  healthTimeoutMs?: number;
  log?: (line: string) => void;
}

export const UNTRUSTED_MESSAGE =
  'This workspace is not trusted: Manito allocates and shows ports but runs no command from manito.json. Trust the workspace to start services.';

