// Every custom JSON-RPC request and notification between the host and the extension, declared
// once. Each line says which way it travels.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { HealthResponse, PortsResponse } from './http';
import type { ManitoEvent, OverallHealth, StackSnapshot } from './model';

/** Sent by the extension in `initializationOptions`. */
export interface HostInitOptions {
  workspace: string;
  trusted: boolean;
  /** Overrides the host API port list (setting `manito.host.port`). */
  hostPorts?: number[];
  /** Service terminals still open in the editor (after a host restart): re-adopt, do not relaunch. */
  terminals?: { service: string; pid: number | null }[];
}

export interface ServiceParams { service: string }
export interface ActionResult { ok: boolean; message: string }

export interface LaunchTerminalParams {
  service: string;
  /** The terminal's name: the service's name. */
  name: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
}
export interface LaunchTerminalResult { pid: number | null }
export interface TerminalExitedParams { service: string; exitCode?: number }
export interface HostStatusParams { health: OverallHealth; message: string }

export namespace GetSnapshot {
  // extension -> host: the whole current state.
  export const type = new RequestType0<StackSnapshot, void>('manito/snapshot');
}

export interface EventsParams { limit: number }
export namespace GetEvents {
  // extension -> host: the most recent events of the host's log, oldest first (the dashboard's history).
  export const type = new RequestType<EventsParams, ManitoEvent[], void>('manito/events');
}
export namespace GetPorts {
  // extension -> host: the same body as GET /api/ports.
  export const type = new RequestType0<PortsResponse, void>('manito/ports');
}
export namespace GetHealth {
  // extension -> host: the same body as GET /api/health?detailed=true.
  export const type = new RequestType0<HealthResponse, void>('manito/health');
}
export namespace StartStack {
  // extension -> host: start every service with a command, in dependsOn order.
  export const type = new RequestType0<ActionResult, void>('manito/startStack');
}
export namespace StopStack {
  // extension -> host: stop every running service.
  export const type = new RequestType0<ActionResult, void>('manito/stopStack');
}
export namespace StartService {
  // extension -> host
  export const type = new RequestType<ServiceParams, ActionResult, void>('manito/startService');
}
export namespace StopService {
  // extension -> host
  export const type = new RequestType<ServiceParams, ActionResult, void>('manito/stopService');
}
export namespace RestartService {
  // extension -> host
  export const type = new RequestType<ServiceParams, ActionResult, void>('manito/restartService');
}
export namespace LaunchTerminal {
  // host -> extension: open an integrated terminal running this command.
  export const type = new RequestType<LaunchTerminalParams, LaunchTerminalResult, void>('manito/launchTerminal');
}
export namespace KillTerminal {
  // host -> extension: close the service's terminal (after the host killed its process tree).
  export const type = new RequestType<ServiceParams, void, void>('manito/killTerminal');
}
export namespace TerminalExited {
  // extension -> host: the user closed a service's terminal, or its process exited.
  export const type = new NotificationType<TerminalExitedParams>('manito/terminalExited');
}
export namespace TrustChanged {
  // extension -> host: the workspace became trusted.
  export const type = new NotificationType<{ trusted: boolean }>('manito/trustChanged');
}
export namespace HostStatus {
  // host -> extension: overall health, for the status bar.
  export const type = new NotificationType<HostStatusParams>('manito/status');
}
export namespace SnapshotChanged {
  // host -> extension: the state after any change (coalesced).
  export const type = new NotificationType<StackSnapshot>('manito/snapshotChanged');
}
export namespace EventOccurred {
  // host -> extension: one event, as the WebSocket feed sends it.
  export const type = new NotificationType<ManitoEvent>('manito/event');
}
