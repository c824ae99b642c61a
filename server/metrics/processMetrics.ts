// The host process's own metrics under the names Prometheus client libraries use (process_*,
// nodejs_*), so existing dashboards and alerts read them: memory, CPU seconds, start time, open
// file descriptors, heap and event-loop delay. Read at scrape time; nothing polls in between.
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsRegistry } from './metricsRegistry';

/** Start time in seconds since the epoch (whole seconds: uptime is measured from a later point than the kernel's). */
function startTimeSeconds(): number {
  return Math.round(Date.now() / 1000 - process.uptime());
}

/** Entries of /proc/self/fd, less the one this readdir opened; undefined where there is no /proc. */
function openFds(): number | undefined {
  try {
    return fs.readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return line ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Registers the process families; returns a function that stops the event-loop monitor. */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  const started = startTimeSeconds();
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const cpu = () => process.cpuUsage();
  registry.sampled('process_cpu_user_seconds_total', 'User CPU time spent by the host, in seconds', 'counter', () => cpu().user / 1e6);
  registry.sampled('process_cpu_system_seconds_total', 'System CPU time spent by the host, in seconds', 'counter', () => cpu().system / 1e6);
  registry.sampled('process_cpu_seconds_total', 'User and system CPU time spent by the host, in seconds', 'counter', () => {
    const { user, system } = cpu();
    return (user + system) / 1e6;
  });
  registry.sampled('process_start_time_seconds', 'Start time of the host since the Unix epoch, in seconds', 'gauge', () => started);
  registry.sampled('process_resident_memory_bytes', 'Resident memory of the host, in bytes', 'gauge', () => process.memoryUsage.rss());
  registry.sampled('process_open_fds', 'Open file descriptors of the host', 'gauge', openFds);
  registry.sampled('process_max_fds', 'Limit of open file descriptors of the host', 'gauge', maxFds);
  registry.sampled('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes', 'gauge', () => process.memoryUsage().heapUsed);
  registry.sampled('nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes', 'gauge', () => process.memoryUsage().heapTotal);
  // Over the host's whole life: a reset per scrape would make two scrapers steal each other's samples.
  registry.sampled('nodejs_eventloop_lag_mean_seconds', 'Mean event-loop delay since the host started, in seconds', 'gauge', () => (delay.count > 0 ? delay.mean / 1e9 : 0));
  registry.sampled('nodejs_eventloop_lag_p99_seconds', '99th percentile of the event-loop delay since the host started, in seconds', 'gauge', () => (delay.count > 0 ? delay.percentile(99) / 1e9 : 0));
  return () => delay.disable();
}
