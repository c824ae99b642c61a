// The Prometheus text format as the registry writes it: escaping, numbers, cumulative histogram
// buckets, bounds on label sets, and names refused at registration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHelp, escapeLabelValue, formatValue } from '../../../server/metrics/exposition';
import { DROPPED_METRIC, MAX_SERIES_PER_FAMILY, MetricsRegistry } from '../../../server/metrics/metricsRegistry';

test('label values escape backslash, double quote and line feed, and nothing else', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  assert.equal(escapeLabelValue('plain-name_1'), 'plain-name_1');
  assert.equal(escapeLabelValue('ünïcödé ✓'), 'ünïcödé ✓');
});

test('HELP text escapes backslash and line feed, but not quotes', () => {
  assert.equal(escapeHelp('say "hi"\\\nbye'), 'say "hi"\\\\\\nbye');
});

test('numbers use the spellings Go parses', () => {
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(formatValue(1e21), '1e+21');
});

test('a counter renders HELP, TYPE and one line per label set, with escaped values', () => {
  const registry = new MetricsRegistry();
  const c = registry.counter('x_total', 'Things\nthat happened', ['service']);
  c.inc({ service: 'a"b' });
  c.inc({ service: 'a"b' }, 2);
  c.inc({ service: 'back\\slash\nline' });
  assert.equal(registry.render(), [
    '# HELP x_total Things\\nthat happened',
    '# TYPE x_total counter',
    'x_total{service="a\\"b"} 3',
    'x_total{service="back\\\\slash\\nline"} 1',
    '',
  ].join('\n'));
  assert.equal(c.value({ service: 'a"b' }), 3);
  assert.throws(() => c.inc({ service: 'a' }, -1), RangeError);
});

test('a family with no samples is left out, and an empty registry renders nothing', () => {
  const registry = new MetricsRegistry();
  registry.counter('never_total', 'never incremented', ['a']);
  registry.sampled('absent', 'read as undefined', 'gauge', () => undefined);
  assert.equal(registry.render(), '');
});

test('histogram buckets are cumulative, end in +Inf, with _sum and _count', () => {
  const registry = new MetricsRegistry();
  const h = registry.histogram('lat_seconds', 'latency', ['service'], [0.01, 0.1, 1]);
  for (const v of [0.005, 0.01, 0.05, 0.5, 3]) h.observe({ service: 's' }, v);
  h.observe({ service: 's' }, NaN);
  assert.equal(registry.render(), [
    '# HELP lat_seconds latency',
    '# TYPE lat_seconds histogram',
    'lat_seconds_bucket{service="s",le="0.01"} 2',
    'lat_seconds_bucket{service="s",le="0.1"} 3',
    'lat_seconds_bucket{service="s",le="1"} 4',
    'lat_seconds_bucket{service="s",le="+Inf"} 5',
    'lat_seconds_sum{service="s"} 3.565',
    'lat_seconds_count{service="s"} 5',
    '',
  ].join('\n'));
  assert.throws(() => registry.histogram('bad', 'x', [], [1, 1]), RangeError);
});

test('sampled families read at render time, with labels in the order given', () => {
  const registry = new MetricsRegistry();
  let value = 1;
  registry.sampled('g', 'a gauge', 'gauge', () => [{ labels: { service: 'a', state: 'up' }, value }, { labels: { service: 'b', state: 'up' }, value: -Infinity }]);
  registry.sampled('single', 'one number', 'gauge', () => value * 10);
  value = 2;
  assert.equal(registry.render(), '# HELP g a gauge\n# TYPE g gauge\ng{service="a",state="up"} 2\ng{service="b",state="up"} -Inf\n# HELP single one number\n# TYPE single gauge\nsingle 20\n');
});

test('label sets past the bound are dropped and counted, never grown without end', () => {
  const registry = new MetricsRegistry();
  const c = registry.counter('many_total', 'many', ['id']);
  for (let i = 0; i < MAX_SERIES_PER_FAMILY + 25; i++) c.inc({ id: String(i) });
  const text = registry.render();
  assert.equal(text.split('\n').filter((l) => l.startsWith('many_total{')).length, MAX_SERIES_PER_FAMILY);
  assert.match(text, new RegExp(`^${DROPPED_METRIC} 25$`, 'm'));
});

test('bad metric or label names, and a name registered twice, are refused at registration', () => {
  const registry = new MetricsRegistry();
  assert.throws(() => registry.counter('1bad', 'x'), TypeError);
  assert.throws(() => registry.counter('has space', 'x'), TypeError);
  assert.throws(() => registry.counter('ok_total', 'x', ['__reserved']), TypeError);
  assert.throws(() => registry.counter('ok2_total', 'x', ['le']), TypeError);
  registry.counter('dup_total', 'x');
  assert.throws(() => registry.counter('dup_total', 'x'), TypeError);
});
