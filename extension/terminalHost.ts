// What the host asks of the editor: the services' terminals it opens, feeds and closes.
import type { ServiceDataParams, ServiceEndedParams, ServiceTerminalParams } from '../protocol/lsp';

/** What the host asks of the editor: the pseudo-terminals that show the services it spawns. */
export interface TerminalHost {
  serviceTerminal(params: ServiceTerminalParams): void;
  serviceStarted(service: string, pid: number): void;
  serviceOutput(params: ServiceDataParams): void;
  serviceEnded(params: ServiceEndedParams): void;
}
