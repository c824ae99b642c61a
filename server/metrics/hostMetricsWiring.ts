// What the host needs to serve /metrics: the Manito and process metrics, the workspace's usage
// record, and a probe wrapper that times every health probe. runHost calls openHostMetrics once.
import type { StackConfig } from '../../protocol/config';
import { stateDir } from '../discovery/stateFolder';
import type { ManitoEvent, StackSnapshot } from '../../protocol/model';
import type { UsageReport } from '../../protocol/usage';
import type { Probe } from '../health/probes';
import { HostMetrics } from './hostMetrics';
import { registerProcessMetrics } from './processMetrics';
import { UsageStore, usageFile } from './usageStore';

export interface HostMetricsWiringOptions {
  workspace: string;
  env: NodeJS.ProcessEnv;
  stack: () => StackConfig;
  snapshot: () => Pick<StackSnapshot, 'services'>;
  version: string;
  warn: (message: string) => void;
}

export interface WiredMetrics {
  /** Feed every host event (core.onEvent). */
  observe(event: ManitoEvent): void;
  /** The probe the health monitor runs, timed into the latency histograms. */
  timeProbe(probe: Probe): Probe;
  /** `GET /metrics`. */
  render(): { body: string; contentType: string };
  /** The dashboard's usage view. */
  usage(): UsageReport;
  /** Writes the usage record and stops the event-loop monitor. */
  dispose(): Promise<void>;
}

export async function openHostMetrics(options: HostMetricsWiringOptions): Promise<WiredMetrics> {
  const usage = await UsageStore.open({ file: usageFile(stateDir(options.env), options.workspace), workspace: options.workspace, warn: options.warn });
  const metrics = new HostMetrics({
    snapshot: options.snapshot,
    serviceConfig: (service) => options.stack().services[service],
    usage,
    version: options.version,
  });
  const stopProcessMetrics = registerProcessMetrics(metrics.registry);
  // Counting must never cost the host an event or a probe: a failure here is logged and dropped.
  const guarded = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      options.warn(`Metrics: ${what} not counted: ${(error as Error).message}`);
    }
  };
  return {
    observe: (event) => guarded(`event ${event.type}`, () => metrics.observe(event)),
    timeProbe: (probe) => async (target) => {
      const outcome = await probe(target);
      guarded(`probe of ${target.service}`, () => metrics.observeProbe(target.service, outcome));
      return outcome;
    },
    render: () => metrics.render(),
    usage: () => usage.report(),
    async dispose() {
      stopProcessMetrics();
      await usage.close();
    },
  };
}
