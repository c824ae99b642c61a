// Reads Manito's settings from whatever the user wrote, totally: a value of the wrong type or out of
// range falls back to the default with a note saying which setting and why. No `vscode` import, so
// the rules are unit-tested; extension/settings.ts feeds it the workspace configuration.

export const DEFAULT_RESTART_LIMIT = 5;

/** The settings as Manito uses them, plus one note per value it had to ignore. */
export interface ManitoSettings {
  /** Empty: the host's own default range. */
  hostPorts: number[];
  restartLimit: number;
  notes: string[];
}

/** What the configuration holds: `inspect`-like, so an explicitly set new name wins over the old. */
export interface RawSettings {
  /** `manito.host.ports`, undefined when not set anywhere. */
  ports: unknown;
  /** `manito.host.port`, the name before 0.2; read only when `ports` is not set. */
  legacyPort: unknown;
  restartLimit: unknown;
}

export function readSettings(raw: RawSettings): ManitoSettings {
  const notes: string[] = [];
  const usingLegacy = raw.ports === undefined && raw.legacyPort !== undefined;
  if (usingLegacy) notes.push('manito.host.port is deprecated: rename it to manito.host.ports (its value is still used)');
  const hostPorts = portList(usingLegacy ? raw.legacyPort : raw.ports, usingLegacy ? 'manito.host.port' : 'manito.host.ports', notes);
  let restartLimit = DEFAULT_RESTART_LIMIT;
  if (raw.restartLimit !== undefined) {
    if (typeof raw.restartLimit === 'number' && Number.isInteger(raw.restartLimit) && raw.restartLimit >= 1) restartLimit = raw.restartLimit;
    else notes.push(`manito.host.restartLimit must be an integer of 1 or more, got ${JSON.stringify(raw.restartLimit)}; using ${DEFAULT_RESTART_LIMIT}`);
  }
  return { hostPorts, restartLimit, notes };
}

function portList(value: unknown, name: string, notes: string[]): number[] {
  if (value === undefined || value === null) return [];
  // A single number is what people type for a setting called "port".
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list)) {
    notes.push(`${name} must be a list of ports, got ${JSON.stringify(value)}; using the default range`);
    return [];
  }
  const ports: number[] = [];
  for (const p of list) {
    if (typeof p === 'number' && Number.isInteger(p) && p >= 1024 && p <= 65535) {
      if (!ports.includes(p)) ports.push(p);
    } else {
      notes.push(`${name}: ${JSON.stringify(p)} is not a port from 1024 to 65535; ignored`);
    }
  }
  return ports;
}

/** Whether a change between two readings needs the host restarted (it binds its API port at start). */
export function needsHostRestart(before: ManitoSettings, after: ManitoSettings): boolean {
  return before.hostPorts.join(',') !== after.hostPorts.join(',');
}
