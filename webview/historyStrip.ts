// The strip of recent probe results beside each service: one bar per probe, oldest on the left,
// its height the latency (log scale, so 2 ms and 200 ms both show), failures full height in red.
import type { HealthState, ManitoEvent, ProbeSample } from '../protocol/model';
import { svg } from './dom';
import { formatClock, formatLatency } from './format';
import { t } from './strings';

export const STRIP_SAMPLES = 30;
const BAR_WIDTH = 4;
const GAP = 1;
const HEIGHT = 18;
const MIN_BAR = 3;

export interface StripBar {
  ok: boolean;
  /** A failed probe of a stopped or still starting service: expected, drawn quiet instead of red. */
  expected: boolean;
  /** Height in px, MIN_BAR..HEIGHT. */
  height: number;
  label: string;
}

/** Pure part of the strip, tested without a DOM. */
export function stripBars(history: readonly ProbeSample[], expectedDownAt: (at: string) => boolean = () => false, max = STRIP_SAMPLES): StripBar[] {
  return history.slice(-max).map((s) => {
    const expected = !s.ok && expectedDownAt(s.at);
    return {
      ok: s.ok,
      expected,
      height: s.ok ? latencyHeight(s.latencyMs) : expected ? MIN_BAR : HEIGHT,
      label: `${formatClock(s.at)} ${s.ok ? `ok, ${formatLatency(s.latencyMs)}` : expected ? 'no answer (not up yet)' : 'failed'}`,
    };
  });
}

/**
 * Whether the service was meant to be down at a given time (stopped, or starting and not answering
 * yet), from its health transitions in the event list; before the oldest known transition, the
 * state it left then; with none, `current`.
 */
export function expectedDownAtFor(service: string, events: readonly ManitoEvent[], current: HealthState): (at: string) => boolean {
  const transitions = events
    .filter((e): e is Extract<ManitoEvent, { type: 'health' }> => e.type === 'health' && e.service === service)
    .map((e) => ({ t: Date.parse(e.time), from: e.from, to: e.to }))
    .sort((a, b) => a.t - b.t);
  return (at) => {
    const t = Date.parse(at);
    if (transitions.length === 0) return isQuiet(current);
    let state: HealthState = transitions[0]!.from;
    for (const tr of transitions) {
      if (tr.t <= t) state = tr.to;
      else break;
    }
    return isQuiet(state);
  };
}

function isQuiet(state: HealthState): boolean {
  return state === 'stopped' || state === 'starting';
}

function latencyHeight(ms: number | null): number {
  if (ms === null || !Number.isFinite(ms) || ms <= 1) return MIN_BAR;
  // 1 ms -> MIN_BAR, 1 s or more -> full height.
  const f = Math.min(1, Math.log10(ms) / 3);
  return Math.round(MIN_BAR + f * (HEIGHT - MIN_BAR));
}

export function stripSummary(history: readonly ProbeSample[], max = STRIP_SAMPLES): string {
  const recent = history.slice(-max);
  if (recent.length === 0) return t('noProbes');
  const failed = recent.filter((s) => !s.ok).length;
  return recent.length === 1 ? t('probesSummaryOne', 1 - failed, failed) : t('probesSummary', recent.length, recent.length - failed, failed);
}

export function historyStrip(history: readonly ProbeSample[], expectedDownAt: (at: string) => boolean): Element {
  const bars = stripBars(history, expectedDownAt);
  const width = STRIP_SAMPLES * (BAR_WIDTH + GAP);
  const root = svg('svg', {
    class: 'strip',
    width,
    height: HEIGHT,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: 'img',
    'aria-label': stripSummary(history),
  });
  root.appendChild(svg('title', {}, stripSummary(history)));
  root.appendChild(svg('rect', { class: 'strip-track', x: 0, y: HEIGHT - 1, width, height: 1 }));
  // Right-aligned, so the newest probe is always at the same place.
  const offset = (STRIP_SAMPLES - bars.length) * (BAR_WIDTH + GAP);
  bars.forEach((bar, i) => {
    root.appendChild(svg('rect', {
      class: bar.ok ? 'strip-ok' : bar.expected ? 'strip-down' : 'strip-fail',
      x: offset + i * (BAR_WIDTH + GAP),
      y: HEIGHT - bar.height,
      width: BAR_WIDTH,
      height: bar.height,
      rx: 1,
    }, svg('title', {}, bar.label)));
  });
  return root;
}
