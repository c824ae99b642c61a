// Manito's metrics from the host's events, probes and snapshot, and the contests they hand to the
// usage record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../../protocol/config';
import type { EventBody, HealthState } from '../../../protocol/model';
import { HostMetrics } from '../../../server/metrics/hostMetrics';
import { MetricsRegistry } from '../../../server/metrics/metricsRegistry';
import { registerProcessMetrics } from '../../../server/metrics/processMetrics';
import type { Contest } from '../../../server/metrics/usageRecord';

function setup(services: Array<{ name: string; health: HealthState; port: number | null }> = []) {
  const contests: Contest[] = [];
  const metrics = new HostMetrics({
    snapshot: () => ({ services: services as never }),
    serviceConfig: (s) => ({ server: { preferred: [3000] }, db: { preferred: [5432] }, websocket: { inheritFrom: 'server' } } as Record<string, ServiceConfig>)[s],
    usage: { record: (c) => contests.push(c) },
    version: '9.9.9',
  });
  const lines = () => metrics.render().body.split('\n');
  return { metrics, contests, lines };
}

test('assignments by reason, conflicts and moves by the kind of holder', () => {
  const { metrics, contests, lines } = setup();
  const events: EventBody[] = [
    { type: 'assigned', service: 'server', port: 3001, reason: 'fallback', explanation: '', holder: { pid: 42, command: 'node x.js' } },
    { type: 'assigned', service: 'client', port: 5173, reason: 'preferred', explanation: '' },
    { type: 'moved', service: 'server', from: 3001, to: 3002, explanation: '', holder: { service: 'api', workspace: '/other', pid: 7 } },
    { type: 'moved', service: 'websocket', from: 3001, to: 3002, explanation: '' },
    { type: 'allocationFailed', service: 'db', message: 'all held' },
    { type: 'released', service: 'client', port: 5173 },
  ];
  for (const e of events) metrics.observe(e);
  const text = lines();
  assert.ok(text.includes('manito_port_assignments_total{service="server",reason="fallback"} 1'), text.join('\n'));
  assert.ok(text.includes('manito_port_assignments_total{service="server",reason="moved"} 1'));
  assert.ok(text.includes('manito_port_assignments_total{service="client",reason="preferred"} 1'));
  assert.ok(text.includes('manito_port_conflicts_total{service="server",cause="process"} 1'));
  assert.ok(text.includes('manito_port_conflicts_total{service="db",cause="unknown"} 1'));
  assert.ok(text.includes('manito_port_moves_total{service="server",cause="workspace"} 1'));
  assert.ok(text.includes('manito_port_moves_total{service="websocket",cause="unknown"} 1'));
  assert.ok(text.includes('manito_port_allocation_failures_total{service="db"} 1'));
  assert.deepEqual(contests, [
    { port: 3000, service: 'server', cause: 'fallback', holder: { pid: 42, command: 'node x.js' } },
    { port: 3001, service: 'server', cause: 'moved', holder: { service: 'api', workspace: '/other', pid: 7 } },
    { port: 5432, service: 'db', cause: 'failed' },
  ]);
});

test('health is one gauge per state from the snapshot at scrape time; ports too', () => {
  const services = [{ name: 'server', health: 'healthy' as HealthState, port: 3000 }, { name: 'db', health: 'stopped' as HealthState, port: null }];
  const { lines } = setup(services);
  let text = lines();
  for (const [state, v] of [['starting', 0], ['healthy', 1], ['unhealthy', 0], ['stopped', 0]]) {
    assert.ok(text.includes(`manito_service_health{service="server",state="${state}"} ${v}`), text.join('\n'));
  }
  assert.ok(text.includes('manito_service_health{service="db",state="stopped"} 1'));
  assert.ok(text.includes('manito_service_port{service="server"} 3000'));
  assert.ok(!text.some((l) => l.startsWith('manito_service_port{service="db"}')));
  services[0]!.health = 'unhealthy';
  services.pop();
  text = lines();
  assert.ok(text.includes('manito_service_health{service="server",state="unhealthy"} 1'));
  assert.ok(!text.some((l) => l.includes('service="db"')), 'a service gone from the snapshot leaves the scrape');
  assert.ok(text.includes('manito_host_info{version="9.9.9"} 1'));
});

test('lifecycle events are counted: detected, transitions, starts, stops by outcome, config loads', () => {
  const { metrics, lines } = setup();
  metrics.observe({ type: 'detected', service: 'redis', port: 6379, fingerprint: 'redis' });
  metrics.observe({ type: 'health', service: 'redis', from: 'stopped', to: 'healthy' });
  metrics.observe({ type: 'started', service: 'web', runner: 'process', pid: 1 });
  metrics.observe({ type: 'stopped', service: 'web', exitCode: 0 });
  metrics.observe({ type: 'stopped', service: 'web', exitCode: 1 });
  metrics.observe({ type: 'stopped', service: 'web' });
  metrics.observe({ type: 'config', ok: false, source: 'file', errors: [] });
  const text = lines();
  for (const line of [
    'manito_services_detected_total{service="redis"} 1',
    'manito_health_transitions_total{service="redis",from="stopped",to="healthy"} 1',
    'manito_service_starts_total{service="web",runner="process"} 1',
    'manito_service_stops_total{service="web",outcome="exited_0"} 1',
    'manito_service_stops_total{service="web",outcome="failed"} 1',
    'manito_service_stops_total{service="web",outcome="unknown"} 1',
    'manito_config_loads_total{result="error"} 1',
  ]) assert.ok(text.includes(line), `${line}\n${text.join('\n')}`);
});

test('probe latencies land in per-service histograms in seconds, by result', () => {
  const { metrics, lines } = setup();
  metrics.observeProbe('server', { ok: true, latencyMs: 3 });
  metrics.observeProbe('server', { ok: true, latencyMs: 40 });
  metrics.observeProbe('server', { ok: false, latencyMs: 1000 });
  const text = lines();
  assert.ok(text.includes('manito_health_probe_duration_seconds_bucket{service="server",result="ok",le="0.005"} 1'), text.join('\n'));
  assert.ok(text.includes('manito_health_probe_duration_seconds_bucket{service="server",result="ok",le="0.05"} 2'));
  assert.ok(text.includes('manito_health_probe_duration_seconds_count{service="server",result="ok"} 2'));
  const sum = Number(text.find((l) => l.startsWith('manito_health_probe_duration_seconds_sum{service="server",result="ok"} '))?.split(' ')[1]);
  assert.ok(Math.abs(sum - 0.043) < 1e-9, String(sum));
  assert.ok(text.includes('manito_health_probe_duration_seconds_bucket{service="server",result="fail",le="1"} 1'));
  assert.equal(metrics.render().contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

test('process metrics read the running process', () => {
  const registry = new MetricsRegistry();
  const stop = registerProcessMetrics(registry);
  try {
    const text = registry.render();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(value('process_resident_memory_bytes') > 1e6, text);
    assert.ok(value('process_cpu_seconds_total') > 0);
    assert.ok(Math.abs(value('process_start_time_seconds') - (Date.now() / 1000 - process.uptime())) < 2);
    assert.ok(value('nodejs_heap_size_used_bytes') > 0);
    assert.ok(value('nodejs_eventloop_lag_p99_seconds') >= 0);
    if (process.platform === 'linux') {
      assert.ok(value('process_open_fds') > 2);
      assert.ok(value('process_max_fds') >= value('process_open_fds'));
    }
    assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
  } finally {
    stop();
  }
});
