// Finds a running Manito host the way `manito status` promises: live discovery files first (dead
// pids ignored), then /api/health probes on the host range and the seed's 3000-3010, all at once.
import * as path from 'node:path';
import { DEFAULT_HOST_PORTS, SEED_SCAN_PORTS } from '../protocol/config';
import type { DiscoveryRecord } from '../protocol/discovery';
import { API_HEALTH_PATH, SERVICE_NAME, type HealthResponse } from '../protocol/http';
import { readLiveHosts } from '../server/discovery/discoveryFile';
import { getJson } from './http';

export interface FoundHost {
  port: number;
  url: string;
  source: 'discovery' | 'scan';
  /** Present when found through a discovery file; carries the token for state-changing requests. */
  record?: DiscoveryRecord;
  health: HealthResponse;
}

export interface FindHostOptions {
  /** Prefer (with `strictWorkspace`: require) the host serving this folder. */
  workspace?: string;
  strictWorkspace?: boolean;
  /**
   * Only a host whose workspace is this folder or one of its parents: its ports are this
   * folder's. Another project's host would hand out that project's ports. A port-scan answer that
   * names no workspace (the seed's server) is still taken.
   */
  serving?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Per-probe timeout. */
  timeoutMs?: number;
  /** Ports probed when no discovery file answers. */
  scanPorts?: readonly number[];
}

export const SCAN_PORTS: readonly number[] = [...DEFAULT_HOST_PORTS, ...SEED_SCAN_PORTS];

/** GET /api/health?detailed=true; null unless the body names Manito. */
export async function probeHost(url: string, timeoutMs: number): Promise<HealthResponse | null> {
  try {
    const body = await getJson<HealthResponse>(`${url}${API_HEALTH_PATH}?detailed=true`, timeoutMs);
    return body && body.service === SERVICE_NAME ? body : null;
  } catch {
    return null;
  }
}

/** True when `dir` is `folder` or inside it: a host of `folder` serves `dir`. */
export function within(folder: string, dir: string): boolean {
  const rel = path.relative(folder, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export async function findHost(options: FindHostOptions = {}): Promise<FoundHost | null> {
  const timeoutMs = options.timeoutMs ?? 400;
  const env = options.env ?? process.env;
  const wanted = path.resolve(options.workspace ?? process.cwd());
  let records = readLiveHosts(env);
  if (options.strictWorkspace) records = records.filter((r) => path.resolve(r.workspace) === wanted);
  if (options.serving) records = records.filter((r) => within(r.workspace, wanted));
  // The host of the folder we are in (or under) first, then the newest.
  records.sort((a, b) => Number(within(b.workspace, wanted)) - Number(within(a.workspace, wanted)));
  for (const record of records) {
    const url = `http://127.0.0.1:${record.port}`;
    const health = await probeHost(url, timeoutMs);
    if (health) return { port: record.port, url, source: 'discovery', record, health };
  }
  if (options.strictWorkspace) return null;
  const ports = options.scanPorts ?? scanPortsFrom(env);
  const answers = await Promise.all(ports.map((port) => probeHost(`http://127.0.0.1:${port}`, timeoutMs)));
  const hits = ports.map((port, i) => ({ port, health: answers[i] }))
    .filter((h): h is { port: number; health: HealthResponse } => h.health !== null)
    .filter((h) => !options.serving || !h.health.host || within(h.health.host.workspace, wanted));
  const best = hits.find((h) => h.health.host && within(h.health.host.workspace, wanted)) ?? hits[0];
  return best ? { port: best.port, url: `http://127.0.0.1:${best.port}`, source: 'scan', health: best.health } : null;
}

/** MANITO_SCAN_PORTS (`41730-41749,3000`) narrows or moves the scan; default SCAN_PORTS. */
export function scanPortsFrom(env: NodeJS.ProcessEnv): readonly number[] {
  const spec = env.MANITO_SCAN_PORTS?.trim();
  if (!spec) return SCAN_PORTS;
  const ports: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    for (let p = from; p <= to && p <= 65535 && ports.length < 1024; p++) ports.push(p);
  }
  return ports;
}

/** `41730-41749, 3000-3010` */
export function ranges(ports: readonly number[]): string {
  const out: string[] = [];
  let start = ports[0];
  for (let i = 1; i <= ports.length; i++) {
    if (ports[i] !== ports[i - 1]! + 1) {
      out.push(start === ports[i - 1] ? `${start}` : `${start}-${ports[i - 1]}`);
      start = ports[i];
    }
  }
  return out.join(', ');
}
