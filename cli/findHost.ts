// Finds a running Manito host the way `manito status` promises: only through a discovery record of
// the user's own whose host proves it wrote it (trustedHosts.ts). The /api/health scan of the host
// range and the seed's 3000-3010 never finds a host by itself: it only names what it ignored.
import * as path from 'node:path';
import { DEFAULT_HOST_PORTS, SEED_SCAN_PORTS } from '../protocol/config';
import type { DiscoveryRecord } from '../protocol/discovery';
import { API_HEALTH_PATH, SERVICE_NAME, type HealthResponse } from '../protocol/http';
import { nodeDiscoveryIo, readDiscovery } from '../server/discovery/discoveryFile';
import { proveHost, unprovenHostLine } from '../server/discovery/trustedHosts';
import { getJson } from './http';

export interface FoundHost {
  port: number;
  url: string;
  source: 'discovery';
  /** The proven discovery record; carries the token for state-changing requests. */
  record: DiscoveryRecord;
  health: HealthResponse;
}

export interface FindHostOptions {
  /** Prefer (with `strictWorkspace`: require) the host serving this folder. */
  workspace?: string;
  strictWorkspace?: boolean;
  /**
   * Only a host whose workspace is this folder or one of its parents: its ports are this
   * folder's. Another project's host would hand out that project's ports.
   */
  serving?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Per-probe timeout. */
  timeoutMs?: number;
  /** Ports probed for Manito-looking servers to report as ignored when no record proves itself. */
  scanPorts?: readonly number[];
  /** Each thing not trusted, as a line for the user (a record with a wrong mode, a fake host). */
  onNote?: (line: string) => void;
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
  const note = options.onNote ?? (() => undefined);
  const wanted = path.resolve(options.workspace ?? process.cwd());
  const io = nodeDiscoveryIo((url, ms) => getJson<unknown>(url, ms));
  const read = readDiscovery(env, io);
  read.notes.forEach((line) => note(line));
  let records = read.records;
  if (options.strictWorkspace) records = records.filter((r) => path.resolve(r.workspace) === wanted);
  if (options.serving) records = records.filter((r) => within(r.workspace, wanted));
  // The host of the folder we are in (or under) first, then the newest.
  records.sort((a, b) => Number(within(b.workspace, wanted)) - Number(within(a.workspace, wanted)));
  for (const record of records) {
    const problem = await proveHost(record, io, timeoutMs);
    if (problem) {
      note(`Ignoring the discovery record of pid ${record.pid}: ${problem}`);
      continue;
    }
    const url = `http://127.0.0.1:${record.port}`;
    const health = await probeHost(url, timeoutMs);
    if (health) return { port: record.port, url, source: 'discovery', record, health };
  }
  if (options.strictWorkspace) return null;
  // Nothing proven: say what else answers as Manito, so a user is not left wondering why it is not used.
  const known = new Set(read.records.map((r) => r.port));
  const ports = (options.scanPorts ?? scanPortsFrom(env)).filter((p) => !known.has(p));
  const answers = await Promise.all(ports.map((port) => probeHost(`http://127.0.0.1:${port}`, timeoutMs)));
  ports.forEach((port, i) => { if (answers[i]) note(unprovenHostLine(port, answers[i]!.host?.pid)); });
  return null;
}

/** The proven record of the host serving exactly `workspace`, for the commands that send it the token (`up`, `down`). */
export async function provenHostOf(workspace: string, env: NodeJS.ProcessEnv, onNote: (line: string) => void): Promise<DiscoveryRecord | undefined> {
  return (await findHost({ workspace, env, strictWorkspace: true, timeoutMs: 2000, onNote }))?.record;
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
