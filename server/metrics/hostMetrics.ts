// Manito's own metrics, fed by the host's events (protocol/model.ts EventBody) and its health
// probes; the per-service state (health, port) is read from the snapshot at scrape time, so a
// service removed from manito.json leaves the scrape with it. Contests also go to the usage record.
import type { ServiceConfig } from '../../protocol/config';
import type { EventBody, HealthState, StackSnapshot } from '../../protocol/model';
import { EXPOSITION_CONTENT_TYPE } from './exposition';
import { MetricsRegistry, type Sample } from './metricsRegistry';
import { holderKind, type Contest } from './usageRecord';

const HEALTH_STATES: readonly HealthState[] = ['starting', 'healthy', 'unhealthy', 'stopped'];

export interface HostMetricsOptions {
  /** Read at each scrape. */
  snapshot: () => Pick<StackSnapshot, 'services'>;
  /** The service's manito.json entry: its first preferred port is the one a fallback was denied. */
  serviceConfig: (service: string) => Pick<ServiceConfig, 'preferred' | 'inheritFrom'> | undefined;
  /** Where contests are counted across restarts (the usage store). */
  usage?: { record(contest: Contest): void };
  version: string;
}

export interface ProbeObservation {
  ok: boolean;
  latencyMs: number;
}

export class HostMetrics {
  readonly registry = new MetricsRegistry();
  private readonly assignments = this.registry.counter('manito_port_assignments_total', 'Ports given to services, by why the service got its port', ['service', 'reason']);
  private readonly conflicts = this.registry.counter('manito_port_conflicts_total', 'Allocations that found a wanted port taken, by who held it (process, service, workspace, unknown)', ['service', 'cause']);
  private readonly moves = this.registry.counter('manito_port_moves_total', 'Services moved to another port, by who took theirs (process, service, workspace, unknown)', ['service', 'cause']);
  private readonly failures = this.registry.counter('manito_port_allocation_failures_total', 'Services that could not be given a port', ['service']);
  private readonly detections = this.registry.counter('manito_services_detected_total', 'Services found already running and adopted', ['service']);
  private readonly transitions = this.registry.counter('manito_health_transitions_total', 'Health state changes of services', ['service', 'from', 'to']);
  private readonly starts = this.registry.counter('manito_service_starts_total', 'Services started by Manito', ['service', 'runner']);
  private readonly stops = this.registry.counter('manito_service_stops_total', 'Services Manito started that stopped, by how they ended (exited 0, failed, unknown)', ['service', 'outcome']);
  private readonly configs = this.registry.counter('manito_config_loads_total', 'Loads of manito.json, by result', ['result']);
  private readonly probes = this.registry.histogram('manito_health_probe_duration_seconds', 'Time a health probe took to answer, in seconds', ['service', 'result']);

  constructor(private readonly options: HostMetricsOptions) {
    const services = () => options.snapshot().services;
    this.registry.sampled('manito_host_info', 'The Manito host serving these metrics', 'gauge', () => [{ labels: { version: options.version }, value: 1 }]);
    this.registry.sampled('manito_service_health', 'Health of each service: 1 for its current state, 0 for the others', 'gauge', () =>
      services().flatMap((s): Sample[] => HEALTH_STATES.map((state) => ({ labels: { service: s.name, state }, value: s.health === state ? 1 : 0 }))));
    this.registry.sampled('manito_service_port', 'Port each service has now', 'gauge', () =>
      services().flatMap((s): Sample[] => (s.port === null ? [] : [{ labels: { service: s.name }, value: s.port }])));
  }

  observe(event: EventBody): void {
    switch (event.type) {
      case 'assigned':
        this.assignments.inc({ service: event.service, reason: event.reason });
        if (event.reason === 'fallback') this.contest(event.service, 'fallback', event.holder);
        return;
      case 'moved':
        this.assignments.inc({ service: event.service, reason: 'moved' });
        this.moves.inc({ service: event.service, cause: holderKind(event.holder) });
        // An inheritor moves with its root: the port was contested once, and counted for the root.
        if (!this.options.serviceConfig(event.service)?.inheritFrom) {
          this.options.usage?.record({ port: event.from, service: event.service, cause: 'moved', ...(event.holder ? { holder: event.holder } : {}) });
        }
        return;
      case 'allocationFailed':
        this.failures.inc({ service: event.service });
        this.contest(event.service, 'failed', undefined);
        return;
      case 'detected': return this.detections.inc({ service: event.service });
      case 'health': return this.transitions.inc({ service: event.service, from: event.from, to: event.to });
      case 'started': return this.starts.inc({ service: event.service, runner: event.runner });
      case 'stopped': return this.stops.inc({ service: event.service, outcome: event.exitCode === undefined ? 'unknown' : event.exitCode === 0 ? 'exited_0' : 'failed' });
      case 'config': return this.configs.inc({ result: event.ok ? 'ok' : 'error' });
      case 'released': return;
    }
  }

  observeProbe(service: string, outcome: ProbeObservation): void {
    this.probes.observe({ service, result: outcome.ok ? 'ok' : 'fail' }, Math.max(0, outcome.latencyMs) / 1000);
  }

  /** The body and content type of `GET /metrics`. */
  render(): { body: string; contentType: string } {
    return { body: this.registry.render(), contentType: EXPOSITION_CONTENT_TYPE };
  }

  private contest(service: string, cause: Contest['cause'], holder: Contest['holder']): void {
    this.conflicts.inc({ service, cause: holderKind(holder) });
    const port = this.options.serviceConfig(service)?.preferred?.[0];
    if (port !== undefined) this.options.usage?.record({ port, service, cause, ...(holder ? { holder } : {}) });
  }
}
