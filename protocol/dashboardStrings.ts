// Every string the dashboard shows, in English, keyed. The browser tab served by the host uses this
// table as it is; in VS Code the extension sends the same keys translated (vscode.l10n.t) in a
// `strings` message before anything else, so the panel speaks the editor's display language.
// Placeholders are {0}, {1}, ... as in vscode.l10n.t.

export const DASHBOARD_STRINGS = {
  servicesHeading: 'Services',
  eventsHeading: 'Recent events',
  stackGroup: 'Stack',
  startStack: 'Start stack',
  startStackTitle: 'Start every service that has a command',
  stopStack: 'Stop stack',
  stopStackTitle: 'Stop every running service',
  workspace: 'Workspace ',
  configFile: ' · manito.json',
  configInvalid: ' · manito.json (invalid: no service served)',
  configDefault: ' · default stack (no manito.json)',
  strategyLine: ' · {0} · {1} strategy',
  hostRunning: 'Host running',
  hostConnecting: 'Host connecting…',
  hostUnreachable: 'Host not reachable',
  hostPort: 'port {0}',
  hostPid: 'pid {0}',
  hostUp: 'up ',
  feedTitle: 'Open WebSocket feed connections (services.websocket)',
  feedConnectionOne: 'WebSocket: 1 connection',
  feedConnections: 'WebSocket: {0} connections',
  untrusted: 'untrusted workspace: commands do not run',
  hostUnreachableNotice: 'The Manito host is not reachable.',
  lastStateNotice: 'What you see below is the last state received.',
  connectingNotice: 'Connecting to the Manito host…',
  noServicesUntilHost: 'No services to show until the host is reachable.',
  waitingForState: 'Waiting for the first state from the host…',
  noServicesConfigured: 'No services are configured. Add them under "services" in manito.json',
  noServicesVsCodeHint: ' (run "Manito: Create Config" to start from the default stack).',
  tableCaption: 'Services with their port, health and recent probes',
  colService: 'Service',
  colPort: 'Port',
  colHealth: 'Health',
  colProbe: 'Last probe',
  colHistory: 'History',
  colUrl: 'URL',
  colActions: 'Actions',
  instancesLine: '{0} instances: {1} healthy',
  forDuration: 'for ',
  ago: ' ago',
  notProbed: 'not probed yet',
  actionsFor: 'Actions for {0}',
  startService: 'Start {0}',
  restartService: 'Restart {0}',
  stopService: 'Stop {0}',
  openServiceInBrowser: 'Open {0} in browser',
  openUrl: 'Open {0}',
  showTerminalOf: 'Show terminal of {0}',
  showTerminalTitle: 'Show the "{0}" terminal',
  runningOutside: 'external: not started by Manito',
  unavailable: '{0} (not available while the host is unreachable)',
  vscodeDisconnectedHint: 'Run "Manito: Restart Host" from the Command Palette, or "Manito: Show Logs" to see why it stopped.',
  noEvents: 'No events yet. Port assignments, moves, detections and health changes appear here as they happen.',
  eventsLabel: 'Recent events, newest first',
  healthStarting: 'Starting',
  healthHealthy: 'Healthy',
  healthUnhealthy: 'Unhealthy',
  healthStopped: 'Stopped',
  reasonPreferred: 'preferred',
  reasonFallback: 'fallback',
  reasonInherited: 'inherited',
  reasonDetected: 'detected running',
  reasonMoved: 'moved',
  noPort: 'no port',
  noServices: 'No services',
  allHealthy: 'All healthy',
  allStopped: 'All stopped',
  withoutPort: '{0} without a port',
  countStarting: '{0} starting',
  countHealthy: '{0} healthy',
  countUnhealthy: '{0} unhealthy',
  countStopped: '{0} stopped',
  noProbes: 'No probes yet',
  probesSummaryOne: 'Last probe: {0} ok, {1} failed',
  probesSummary: 'Last {0} probes: {1} ok, {2} failed',
  eventAssigned: '{0} assigned port {1} ({2})',
  eventMoved: '{0} moved {1} → {2}',
  eventReleased: '{0} released port {1}',
  eventAllocationFailed: '{0} got no port: {1}',
  eventDetected: 'Detected {0} for {1} on port {2}',
  eventDetectedBy: 'pid {0}',
  waitingForStart: 'waiting for start',
  stopExternal: 'Stop {0} (external)',
  stopExternalTitle: 'Stop {0}: not started by Manito, asks first',
  waitingForStartTitle: 'Its command check runs once you start it; until then only TCP is checked',
  moveBackTo: 'Move back to {0}',
  moveBackTitle: '{0} is free again: move {1} back to it',
  eventDetectedExternal: ', external: not started by Manito',
  eventHealth: '{0}: {1} → {2}',
  eventStartedTerminal: '{0} started in a terminal',
  eventStartedProcess: '{0} started in a process',
  eventStopped: '{0} stopped',
  eventStoppedCode: '{0} stopped (exit code {1})',
  eventConfigLoaded: 'Loaded manito.json',
  eventConfigDefault: 'No manito.json: serving the default stack',
  eventConfigInferred: 'No manito.json: serving the inferred stack',
} as const;

export type DashboardStringKey = keyof typeof DASHBOARD_STRINGS;
export type DashboardStrings = Record<DashboardStringKey, string>;

/** Fills {0}, {1}, ... with `args`; a placeholder without an argument stays as written. */
export function fillTemplate(template: string, args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}

/** The known keys of `value` whose values are strings: a bad table cannot break the page. */
export function validDashboardStrings(value: unknown): Partial<DashboardStrings> {
  if (typeof value !== 'object' || value === null) return {};
  const out: Partial<DashboardStrings> = {};
  for (const key of Object.keys(DASHBOARD_STRINGS) as DashboardStringKey[]) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}
