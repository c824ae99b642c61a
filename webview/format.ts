// Turns host data into the short strings the dashboard shows: durations, latencies, reasons and
// one sentence per event. Pure, so the unit tests pin every wording.
import { brokenConfigNote, type EventBody, type HealthState, type Reason, type ServiceView } from '../protocol/model';

/** "0s", "42s", "3m 07s", "2h 05m", "3d 4h": two units at most, the way people read elapsed time. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const totalSec = Math.floor(ms / 1000);
  if (totalSec < 60) return `${totalSec}s`;
  const totalMin = Math.floor(totalSec / 60);
  if (totalMin < 60) return `${totalMin}m ${pad2(totalSec % 60)}s`;
  const totalHours = Math.floor(totalMin / 60);
  if (totalHours < 24) return `${totalHours}h ${pad2(totalMin % 60)}m`;
  return `${Math.floor(totalHours / 24)}d ${totalHours % 24}h`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Milliseconds since an ISO time; 0 for a missing or unparseable time or one in the future. */
export function elapsedSince(iso: string | null | undefined, now: number): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, now - t);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Local wall-clock time of an event, "14:03:09". */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

const REASON_LABELS: Record<Reason, string> = {
  preferred: 'preferred',
  fallback: 'fallback',
  inherited: 'inherited',
  detected_running: 'detected running',
  moved: 'moved',
};

export function reasonLabel(reason: Reason | null): string {
  return reason ? REASON_LABELS[reason] : 'no port';
}

const HEALTH_LABELS: Record<HealthState, string> = {
  starting: 'Starting',
  healthy: 'Healthy',
  unhealthy: 'Unhealthy',
  stopped: 'Stopped',
};

export function healthLabel(state: HealthState): string {
  return HEALTH_LABELS[state];
}

// Worst first, so the state that needs a look leads the header badge.
const SUMMARY_ORDER: readonly HealthState[] = ['unhealthy', 'starting', 'healthy', 'stopped'];

/**
 * The dashboard header's badge: "All healthy" only when every service is, "All stopped" when none
 * runs, otherwise the count in each state, worst first ("1 unhealthy · 2 healthy · 1 stopped").
 * A service that got no port is counted apart, since its health says nothing about it.
 */
export function healthSummary(services: readonly Pick<ServiceView, 'health' | 'error'>[]): string {
  if (services.length === 0) return 'No services';
  const failed = services.filter((s) => s.error).length;
  const counts = new Map<HealthState, number>();
  for (const s of services) if (!s.error) counts.set(s.health, (counts.get(s.health) ?? 0) + 1);
  if (!failed && counts.get('healthy') === services.length) return 'All healthy';
  if (!failed && counts.get('stopped') === services.length) return 'All stopped';
  const parts = failed ? [`${failed} without a port`] : [];
  for (const state of SUMMARY_ORDER) {
    const n = counts.get(state);
    if (n) parts.push(`${n} ${state}`);
  }
  return parts.join(' · ');
}

/** Codicon name for a health state; the colour comes from the stylesheet. */
export function healthIcon(state: HealthState): string {
  switch (state) {
    case 'healthy': return 'pass-filled';
    case 'unhealthy': return 'error';
    case 'starting': return 'loading';
    case 'stopped': return 'circle-large-outline';
  }
}

/** One sentence per event, newest-first lists read like a log. */
export function eventText(event: EventBody): string {
  switch (event.type) {
    case 'assigned':
      return `${event.service} assigned port ${event.port} (${reasonLabel(event.reason)})${event.explanation ? `: ${event.explanation}` : ''}`;
    case 'moved':
      return `${event.service} moved ${event.from} → ${event.to}${event.explanation ? `: ${event.explanation}` : ''}`;
    case 'released':
      return `${event.service} released port ${event.port}`;
    case 'allocationFailed':
      return `${event.service} got no port: ${event.message}`;
    case 'detected': {
      const who = event.pid ? ` (pid ${event.pid}${event.command ? `, ${event.command}` : ''})` : '';
      return `Detected ${event.fingerprint} for ${event.service} on port ${event.port}${who}`;
    }
    case 'health':
      return `${event.service}: ${event.from} → ${event.to}${event.detail ? ` (${event.detail})` : ''}`;
    case 'started':
      return `${event.service} started in ${event.runner === 'terminal' ? 'a terminal' : 'a process'}${event.pid ? ` (pid ${event.pid})` : ''}`;
    case 'stopped':
      return `${event.service} stopped${event.exitCode !== undefined ? ` (exit code ${event.exitCode})` : ''}`;
    case 'config':
      if (!event.ok) return brokenConfigNote(event.errors.length, event.source);
      return event.source === 'file' ? 'Loaded manito.json' : event.source === 'inferred' ? 'No manito.json: serving the inferred stack' : 'No manito.json: serving the default stack';
  }
}

/** Codicon and tone for an event's row. */
export function eventIcon(event: EventBody): { icon: string; tone: 'ok' | 'warn' | 'error' | 'info' } {
  switch (event.type) {
    case 'assigned': return { icon: 'plug', tone: 'info' };
    case 'moved': return { icon: 'arrow-swap', tone: 'warn' };
    case 'released': return { icon: 'debug-disconnect', tone: 'info' };
    case 'allocationFailed': return { icon: 'error', tone: 'error' };
    case 'detected': return { icon: 'search', tone: 'info' };
    case 'health':
      return event.to === 'healthy' ? { icon: 'pass-filled', tone: 'ok' }
        : event.to === 'unhealthy' ? { icon: 'error', tone: 'error' }
        : event.to === 'starting' ? { icon: 'loading', tone: 'warn' }
        : { icon: 'circle-large-outline', tone: 'info' };
    case 'started': return { icon: 'play', tone: 'info' };
    case 'stopped': return { icon: 'debug-stop', tone: 'info' };
    case 'config': return event.ok ? { icon: 'settings-gear', tone: 'info' } : { icon: 'warning', tone: 'error' };
  }
}

/** Only web URLs open in a browser; ws://, redis:// and friends are shown as text to copy. */
export function isBrowsable(url: string | null): url is string {
  return url !== null && /^https?:\/\//i.test(url);
}

