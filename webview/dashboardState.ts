// The dashboard's state and the reducer that applies every message from the host (feed or
// extension) to it. Pure: no DOM, no clock of its own, so the unit tests drive it directly.
import type { ManitoEvent, StackSnapshot } from '../protocol/model';
import type { UsageReport } from '../protocol/usage';
import type { ConnectionState, DashboardAction, ToWebview } from '../protocol/webview';

/** Enough to read back a few minutes of a busy stack without the list growing forever. */
export const MAX_EVENTS = 200;

export interface Notice {
  tone: 'info' | 'error';
  text: string;
}

export interface DashboardState {
  snapshot: StackSnapshot | null;
  /** Newest first, at most MAX_EVENTS. */
  events: ManitoEvent[];
  connection: ConnectionState['state'];
  connectionMessage: string;
  /** `Date.now()` when the last snapshot arrived: the host's uptime ticks on from there. */
  receivedAt: number;
  /** `<target>:<action>` keys of actions sent and not yet answered. */
  pending: string[];
  notice: Notice | null;
  /** The host's record of contested ports (the usage view); null until the host sends it. */
  usage: UsageReport | null;
}

/** What survives a reload of the webview (getState/setState) or of the browser tab. */
export interface PersistedState {
  snapshot: StackSnapshot | null;
  events: ManitoEvent[];
  receivedAt: number;
}

export function initialState(persisted?: PersistedState | null): DashboardState {
  return {
    snapshot: persisted?.snapshot ?? null,
    events: persisted?.events ?? [],
    receivedAt: persisted?.receivedAt ?? 0,
    connection: 'connecting',
    connectionMessage: '',
    pending: [],
    notice: null,
    usage: null,
  };
}

export function persistable(state: DashboardState): PersistedState {
  return { snapshot: state.snapshot, events: state.events, receivedAt: state.receivedAt };
}

export function pendingKey(target: string, action: DashboardAction): string {
  return `${target}:${action}`;
}

/** Marks an action as sent, so its button shows it is busy until the answer comes. */
export function markPending(state: DashboardState, target: string, action: DashboardAction): DashboardState {
  const key = pendingKey(target, action);
  return state.pending.includes(key) ? state : { ...state, pending: [...state.pending, key], notice: null };
}

export function reduce(state: DashboardState, message: ToWebview, now: number): DashboardState {
  switch (message.type) {
    case 'hello':
      return {
        ...state,
        snapshot: message.snapshot,
        events: mergeEvents([], message.events),
        receivedAt: now,
        connection: 'connected',
        connectionMessage: '',
      };
    case 'snapshot':
      return { ...state, snapshot: message.snapshot, receivedAt: now, connection: 'connected' };
    case 'event':
      return applyEvent({ ...state, events: mergeEvents(state.events, [message.event]) }, message.event);
    case 'connection':
      return { ...state, connection: message.state, connectionMessage: message.message };
    case 'usage':
      return { ...state, usage: message.usage };
    case 'actionResult': {
      const key = pendingKey(message.target, message.action);
      return {
        ...state,
        pending: state.pending.filter((k) => k !== key),
        notice: message.ok ? (message.message ? { tone: 'info', text: message.message } : null) : { tone: 'error', text: message.message || `${message.action} ${message.target} failed` },
      };
    }
    case 'strings':
      // Words, not state: main.ts applies them before the reducer sees anything.
      return state;
  }
}

/** Adds events newest first, drops ones already shown (the feed's `hello` can overlap), caps the list. */
export function mergeEvents(current: readonly ManitoEvent[], incoming: readonly ManitoEvent[]): ManitoEvent[] {
  const seen = new Set(current.map((e) => e.id));
  const added = incoming.filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
  if (added.length === 0) return current as ManitoEvent[];
  return [...added, ...current].sort((a, b) => b.id - a.id).slice(0, MAX_EVENTS);
}

/**
 * A health transition shows at once, without waiting for the host's coalesced snapshot: the
 * snapshot that follows carries the same state, so applying it early never disagrees for long.
 */
function applyEvent(state: DashboardState, event: ManitoEvent): DashboardState {
  if (event.type !== 'health' || !state.snapshot) return state;
  const services = state.snapshot.services.map((s) =>
    s.name === event.service && s.health !== event.to ? { ...s, health: event.to, healthSince: event.time } : s);
  return { ...state, snapshot: { ...state.snapshot, services } };
}

/** The host's uptime now, from the snapshot's figure and the time since it arrived. */
export function hostUptimeMs(state: DashboardState, now: number): number {
  if (!state.snapshot) return 0;
  const extra = state.connection === 'connected' ? Math.max(0, now - state.receivedAt) : 0;
  return state.snapshot.host.uptimeSec * 1000 + extra;
}

/** A message from the feed or the extension is used only if its shape is one the dashboard knows. */
export function isToWebview(value: unknown): value is ToWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'hello': return isSnapshot(m.snapshot) && Array.isArray(m.events);
    case 'snapshot': return isSnapshot(m.snapshot);
    case 'event': return typeof m.event === 'object' && m.event !== null && typeof (m.event as { id?: unknown }).id === 'number';
    case 'connection': return typeof m.state === 'string' && typeof m.message === 'string';
    case 'actionResult': return typeof m.target === 'string' && typeof m.ok === 'boolean';
    case 'strings': return typeof m.strings === 'object' && m.strings !== null;
    case 'usage': return typeof m.usage === 'object' && m.usage !== null && Array.isArray((m.usage as { ports?: unknown }).ports);
    default: return false;
  }
}

function isSnapshot(value: unknown): value is StackSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<StackSnapshot>;
  return Array.isArray(s.services) && typeof s.host === 'object' && s.host !== null && Array.isArray(s.configErrors);
}
