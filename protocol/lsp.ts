// Every custom JSON-RPC request and notification between the host and the extension, declared
// once. Each line says which way it travels.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { HealthResponse, PortsResponse } from './http';
import type { ManitoEvent, OverallHealth, StackSnapshot } from './model';

/** Sent by the extension in `initializationOptions`. */
export interface HostInitOptions {
  workspace: string;
  trusted: boolean;
  /** Overrides the host API port list (setting `manito.host.port`). */
  hostPorts?: number[];
  /** Setting `manito.diagnostics.hardcodedPorts` (default true): publish a diagnostic on each hard-coded port. */
  hardcodedPortDiagnostics?: boolean;
}

export interface ServiceParams {
  service: string;
  /** Stop: the user confirmed stopping an external process (found running, not started by Manito). */
  force?: boolean;
}
export interface ActionResult {
  ok: boolean;
  message: string;
  /** Stop refused until the user confirms: the external process it would kill. */
  confirm?: { pid: number; command: string };
}

export interface ServiceTerminalParams {
  service: string;
  /** The terminal's name: the service's name. */
  name: string;
  command: string;
  cwd: string;
}
export interface ServiceDataParams { service: string; data: string }
export interface ServiceEndedParams { service: string; pid: number; exitCode: number | null; signal: string | null }
export interface SaveConfigResult extends ActionResult {
  /** The manito.json written, or the one that already exists. */
  path: string;
}
export interface HostSettings { hardcodedPortDiagnostics: boolean }
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
export namespace MoveBackService {
  // extension -> host: move a service back to its first preferred port, now free again.
  export const type = new RequestType<ServiceParams, ActionResult, void>('manito/moveBackService');
}
export namespace SaveInferredConfig {
  // extension -> host: write the served (inferred or default) stack as manito.json; never overwrites one.
  export const type = new RequestType0<SaveConfigResult, void>('manito/saveInferredConfig');
}
export namespace SettingsChanged {
  // extension -> host: the user changed a Manito setting the host acts on.
  export const type = new NotificationType<HostSettings>('manito/settingsChanged');
}
export namespace ServiceTerminal {
  // host -> extension: show (or reuse) the service's pseudo-terminal; the host is about to spawn it.
  export const type = new RequestType<ServiceTerminalParams, void, void>('manito/serviceTerminal');
}
export namespace ServiceStarted {
  // host -> extension: the service's process runs (its pid), output follows.
  export const type = new NotificationType<{ service: string; pid: number }>('manito/serviceStarted');
}
export namespace ServiceOutput {
  // host -> extension: what the service wrote (stdout and stderr, as they came).
  export const type = new NotificationType<ServiceDataParams>('manito/serviceOutput');
}
export namespace ServiceInput {
  // extension -> host: what the user typed in the service's terminal, for its stdin.
  export const type = new NotificationType<ServiceDataParams>('manito/serviceInput');
}
export namespace ServiceEnded {
  // host -> extension: the service's process exited, with its code (null when a signal ended it).
  export const type = new NotificationType<ServiceEndedParams>('manito/serviceEnded');
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
