// The Prometheus text exposition format, version 0.0.4: how names, label values, HELP text and
// numbers are written. Pure functions; the registry (metricsRegistry.ts) assembles the lines.

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Names come from our own code, so a bad one is a programming error: thrown at registration. */
export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new TypeError(`Invalid metric name "${name}"`);
}

export function checkLabelName(name: string): void {
  // `__` prefixes are reserved for Prometheus itself; `le` belongs to histogram buckets.
  if (!LABEL_NAME.test(name) || name.startsWith('__') || name === 'le') throw new TypeError(`Invalid label name "${name}"`);
}

/** Inside `label="..."`: backslash, double quote and line feed are escaped, nothing else. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** In `# HELP` text only backslash and line feed are escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's ParseFloat reads these spellings; JavaScript's `String(Infinity)` it would not. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `{a="1",b="2"}`, or nothing without labels. Values are written in the order of `names`. */
export function formatLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export function headerLines(name: string, help: string, type: MetricType): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}
