// What the host asks of the editor: the services' terminals it opens, feeds and closes.
import type {
  LaunchTerminalParams, LaunchTerminalResult, ServiceDataParams, ServiceEndedParams, ServiceTerminalParams,
} from '../protocol/lsp';

/** What the host asks of the editor: terminals it opens and closes. */
export interface TerminalHost {
  launch(params: LaunchTerminalParams): Promise<LaunchTerminalResult>;
  kill(service: string): Promise<void>;
  /** Terminals still open, handed to a restarted host so it re-adopts them. */
  open(): { service: string; pid: number | null }[];
  /** Pseudo-terminals of services the host spawns (HostInitOptions.pseudoTerminals). */
  serviceTerminal(params: ServiceTerminalParams): void;
  serviceStarted(service: string, pid: number): void;
  serviceOutput(params: ServiceDataParams): void;
  serviceEnded(params: ServiceEndedParams): void;
}
