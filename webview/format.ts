// Turns host data into the short strings the dashboard shows: durations, latencies, reasons and
// one sentence per event. Pure, so the unit tests pin every wording.
import { brokenConfigNote, type EventBody, type HealthState, type Reason, type ServiceView } from '../protocol/model';
// Shared with the Services tree and the log, so a time reads the same everywhere.
export { formatClock, formatDuration } from '../protocol/timeFormat';
import type { DashboardStringKey } from '../protocol/dashboardStrings';
import { t } from './strings';

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

const REASON_LABELS: Record<Reason, DashboardStringKey> = {
  preferred: 'reasonPreferred',
  fallback: 'reasonFallback',
  inherited: 'reasonInherited',
  detected_running: 'reasonDetected',
  moved: 'reasonMoved',
};

export function reasonLabel(reason: Reason | null): string {
  return t(reason ? REASON_LABELS[reason] : 'noPort');
}

const HEALTH_LABELS: Record<HealthState, DashboardStringKey> = {
  starting: 'healthStarting',
  healthy: 'healthHealthy',
  unhealthy: 'healthUnhealthy',
  stopped: 'healthStopped',
};

export function healthLabel(state: HealthState): string {
  return t(HEALTH_LABELS[state]);
}

const COUNT_LABELS: Record<HealthState, DashboardStringKey> = {
  starting: 'countStarting',
  healthy: 'countHealthy',
  unhealthy: 'countUnhealthy',
  stopped: 'countStopped',
};

// Worst first, so the state that needs a look leads the header badge.
const SUMMARY_ORDER: readonly HealthState[] = ['unhealthy', 'starting', 'healthy', 'stopped'];

/**
 * The dashboard header's badge: "All healthy" only when every service is, "All stopped" when none
 * runs, otherwise the count in each state, worst first ("1 unhealthy · 2 healthy · 1 stopped").
 * A service that got no port is counted apart, since its health says nothing about it.
 */
export function healthSummary(services: readonly Pick<ServiceView, 'health' | 'error'>[]): string {
  if (services.length === 0) return t('noServices');
  const failed = services.filter((s) => s.error).length;
  const counts = new Map<HealthState, number>();
  for (const s of services) if (!s.error) counts.set(s.health, (counts.get(s.health) ?? 0) + 1);
  if (!failed && counts.get('healthy') === services.length) return t('allHealthy');
  if (!failed && counts.get('stopped') === services.length) return t('allStopped');
  const parts = failed ? [t('withoutPort', failed)] : [];
  for (const state of SUMMARY_ORDER) {
    const n = counts.get(state);
    if (n) parts.push(t(COUNT_LABELS[state], n));
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
  const why = (explanation: string | undefined) => (explanation ? `: ${explanation}` : '');
  switch (event.type) {
    case 'assigned':
      return t('eventAssigned', event.service, event.port, reasonLabel(event.reason)) + why(event.explanation);
    case 'moved':
      return t('eventMoved', event.service, event.from, event.to) + why(event.explanation);
    case 'released':
      return t('eventReleased', event.service, event.port);
    case 'portFreed':
      return event.explanation;
    case 'allocationFailed':
      return t('eventAllocationFailed', event.service, event.message);
    case 'detected': {
      const who = event.pid ? ` (${t('eventDetectedBy', event.pid)}${event.command ? `, ${event.command}` : ''})` : '';
      return t('eventDetected', event.fingerprint, event.service, event.port) + who + (event.external ? t('eventDetectedExternal') : '');
    }
    case 'foreign':
      return event.message;
    case 'health':
      return t('eventHealth', event.service, event.from, event.to) + (event.detail ? ` (${event.detail})` : '');
    case 'started':
      return t('eventStartedProcess', event.service) + (event.pid ? ` (${t('eventDetectedBy', event.pid)})` : '');
    case 'stopped':
      return event.exitCode !== undefined ? t('eventStoppedCode', event.service, event.exitCode) : t('eventStopped', event.service);
    case 'config':
      if (!event.ok) return brokenConfigNote(event.errors.length, event.source);
      return event.source === 'file' ? t('eventConfigLoaded') : event.source === 'inferred' ? t('eventConfigInferred') : t('eventConfigDefault');
  }
}

/** Codicon and tone for an event's row. */
export function eventIcon(event: EventBody): { icon: string; tone: 'ok' | 'warn' | 'error' | 'info' } {
  switch (event.type) {
    case 'assigned': return { icon: 'plug', tone: 'info' };
    case 'moved': return { icon: 'arrow-swap', tone: 'warn' };
    case 'released': return { icon: 'debug-disconnect', tone: 'info' };
    case 'portFreed': return { icon: 'history', tone: 'info' };
    case 'allocationFailed': return { icon: 'error', tone: 'error' };
    case 'detected': return { icon: 'search', tone: 'info' };
    case 'foreign': return { icon: 'shield', tone: 'warn' };
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

