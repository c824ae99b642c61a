// The bodies of GET /api/ports and GET /api/health, built from a snapshot. The LSP requests
// (GetPorts, GetHealth) answer with exactly the same bodies.
import { SERVICE_NAME, type HealthResponse, type PortsData, type PortsResponse, type ServiceHealthEntry } from '../../protocol/http';
import { overallHealth, type StackSnapshot } from '../../protocol/model';

/** Keys of `data` that are not services; a service of that name keeps its URL but not a top-level port. */
const RESERVED = new Set(['environment', 'urls']);

export function portsBody(snapshot: StackSnapshot): PortsResponse {
  // Keys in the seed's order: services, then environment, then urls.
  const ports: Record<string, number> = {};
  const urls: Record<string, string> = {};
  const namedUrls: Record<string, string> = {};
  for (const s of snapshot.services) {
    // An instance is reached through its service's port (the front); MANITO_<SERVICE>_PORTS lists them.
    if (s.port === null || s.url === null || s.instanceOf) continue;
    if (!RESERVED.has(s.name)) ports[s.name] = s.port;
    urls[s.name] = s.url;
    if (s.namedUrl) namedUrls[s.name] = s.namedUrl;
  }
  const data = { ...ports, environment: snapshot.environment, urls } as PortsData;
  return Object.keys(namedUrls).length ? { success: true, data, namedUrls } : { success: true, data };
}


export function healthBody(snapshot: StackSnapshot, detailed: boolean, feed: { connections: number; startedAt: number }): HealthResponse {
  const overall = overallHealth(snapshot);
  const now = Date.now();
  const body: HealthResponse = {
    success: true,
    service: SERVICE_NAME,
    status: overall === 'error' ? 'unhealthy' : overall === 'warning' ? 'degraded' : 'healthy',
    version: snapshot.host.version,
    timestamp: new Date(now).toISOString(),
    uptime: (now - feed.startedAt) / 1000,
    host: { pid: snapshot.host.pid, port: snapshot.host.port, workspace: snapshot.workspace },
  };
  if (!detailed) return body;
  const services: Record<string, ServiceHealthEntry> = {};
  const entry = (s: StackSnapshot['services'][number]): ServiceHealthEntry => ({
    status: s.health, port: s.port, reason: s.reason, lastCheck: s.lastCheck, latencyMs: s.latencyMs, since: s.healthSince,
  });
  for (const s of snapshot.services) {
    if (s.instanceOf) continue;
    services[s.name] = entry(s);
  }
  // Beside the seed's fields: a multi-instance service's instances, in order, each with its own health.
  for (const s of snapshot.services) {
    const owner = s.instanceOf && services[s.instanceOf.service];
    if (owner) (owner.instances ??= []).push({ index: s.instanceOf!.index, ...entry(s) });
  }
  // The seed's `services.websocket`: the feed on the host's own port. A stack service named
  // `websocket` keeps its own status and port; the feed's counters are laid over it.
  const own = services.websocket;
  services.websocket = {
    ...(own ?? {
      status: 'healthy', port: snapshot.host.port, reason: 'inherited', lastCheck: new Date(now).toISOString(), latencyMs: 0,
      since: snapshot.host.startedAt,
    }),
    connections: feed.connections,
    uptime: (now - feed.startedAt) / 1000,
    timestamp: new Date(now).toISOString(),
  };
  body.services = services;
  return body;
}
