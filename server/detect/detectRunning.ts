// Finds services of the stack that are already running on one of their preferred ports, and
// adopts them only by proof (issue 12): a process Manito started for the service (its record), or
// one of this user's processes running inside the workspace that answers the service's kind.
// Anything else on the port is foreign: not adopted, and the engine allocates around it.
import * as path from 'node:path';
import type { ServiceKind, StackConfig } from '../../protocol/config';
import type { PortHolder } from '../../protocol/model';
import type { ServiceProcess } from '../proc/processRecords';
import { KIND_LABEL, kindProbe, type FingerprintResult } from './fingerprints';
import { holderOfVerdict, inTreeOf, proveListener } from './listenerProof';
import type { AdoptionVerdict, ProcessRecord } from '../proc/processIdentity';
import { listeningPorts } from '../proc/tcpTable';

/** Kinds whose fingerprint is specific enough to adopt a listener Manito did not start. */
export const ADOPTABLE_KINDS: ReadonlySet<ServiceKind> = new Set<ServiceKind>(['vite', 'redis', 'postgres', 'prometheus']);

export interface Detection {
  service: string;
  kind: ServiceKind;
  port: number;
  fingerprint: string;
  holder: PortHolder | null;
  /** 'manito': a process Manito started for it (proven by its record); 'external': found running, adopted under rule (b). */
  how: 'manito' | 'external';
  /** The Manito record that proves it, for how === 'manito'. */
  record?: ProcessRecord;
  /** The seed's log line: "✅ Detected Vite client server on port 5173". */
  logLine: string;
}

/** A listener on a preferred port that proved not to be the service. */
export interface Refusal { service: string; port: number; holder: PortHolder; why: string }

export interface DetectOptions {
  workspace: string;
  timeoutMs?: number;
  /** Ports already taken by an earlier adoption or by this host; never adopted twice. */
  exclude?: Iterable<number>;
  /** Only these services (default: all). */
  only?: Iterable<string>;
  /** Live records of what Manito started in this workspace. */
  records?: readonly ServiceProcess[];
  listening?: () => Set<number>;
  probe?: (kind: ServiceKind, port: number, timeoutMs: number) => Promise<FingerprintResult>;
  /** Told of each listener that is not the service, so the log can name it. */
  refused?: (refusal: Refusal) => void;
}

export function kindOf(stack: StackConfig, service: string): ServiceKind {
  return stack.services[service]?.kind ?? 'http';
}

/** The directories a same-user process may run in to count as the service: the workspace and its cwd. */
export function serviceRoots(stack: StackConfig, service: string, workspace: string): string[] {
  const cwd = stack.services[service]?.cwd;
  return cwd ? [workspace, path.resolve(workspace, cwd)] : [workspace];
}

export async function detectRunning(stack: StackConfig, options: DetectOptions): Promise<Detection[]> {
  // A cold dev server (Vite transforms its client on the first request) may take a while to answer.
  const timeoutMs = options.timeoutMs ?? 1500;
  const listening = options.listening ? options.listening() : listeningPorts();
  const probe = options.probe ?? kindProbe;
  const taken = new Set(options.exclude ?? []);
  const only = options.only ? new Set(options.only) : undefined;
  const records = options.records ?? [];

  const detections: Detection[] = [];
  for (const [service, config] of Object.entries(stack.services)) {
    if ((only && !only.has(service)) || config.inheritFrom) continue;
    const kind = kindOf(stack, service);
    const started = records.filter((r) => r.service === service);
    // A listener Manito did not start is adopted only for a kind with a specific fingerprint.
    if (!ADOPTABLE_KINDS.has(kind) && started.length === 0) continue;
    let fingerprint = '';
    for (const port of config.preferred ?? []) {
      if (!listening.has(port) || taken.has(port)) continue;
      const verdict: AdoptionVerdict | null = await proveListener({
        port, started, roots: serviceRoots(stack, service, options.workspace),
        fingerprint: async () => {
          const result = await probe(kind, port, timeoutMs);
          fingerprint = result.detail;
          return result.ok;
        },
      });
      if (!verdict) continue;
      if (!verdict.adopt) {
        options.refused?.({ service, port, holder: holderOfVerdict(verdict), why: verdict.why });
        continue;
      }
      if (verdict.how === 'external' && !ADOPTABLE_KINDS.has(kind)) continue;
      taken.add(port);
      const record = verdict.how === 'manito' ? provingRecord(started, verdict.facts.pid) : undefined;
      detections.push({
        service, kind, port, how: verdict.how,
        fingerprint: fingerprint || `${KIND_LABEL[kind]} started by Manito`,
        holder: holderOfVerdict(verdict),
        ...(record ? { record } : {}),
        logLine: detectedLine(KIND_LABEL[kind], service, port),
      });
      break;
    }
  }
  return detections;
}

/** The record whose process (or tree) holds the listener `pid`. */
export function provingRecord(started: readonly ProcessRecord[], pid: number): ProcessRecord | undefined {
  return started.find((r) => r.pid === pid) ?? started.find((r) => inTreeOf(pid, r));
}

/** The seed's line, "✅ Detected Vite client server on port 5173", without "Redis redis server". */
export function detectedLine(label: string, service: string, port: number): string {
  const who = label.toLowerCase() === service.toLowerCase() ? label : `${label} ${service}`;
  return `✅ Detected ${who} server on port ${port}`;
}
