// Finds services of the stack that are already running on one of their preferred ports: the port
// must be listening (from /proc) and answer the fingerprint of the service's kind. The host adopts
// those (`detected_running`) instead of launching another copy.
import type { ServiceKind, StackConfig } from '../../protocol/config';
import type { PortHolder } from '../../protocol/model';
import { KIND_LABEL, kindProbe, type FingerprintResult } from './fingerprints';
import { sharedSocketOwners } from '../proc/socketOwners';
import { listeningPorts } from '../proc/tcpTable';

/** Kinds whose fingerprint is specific enough to adopt a listener without asking. */
export const ADOPTABLE_KINDS: ReadonlySet<ServiceKind> = new Set<ServiceKind>(['vite', 'redis', 'postgres', 'prometheus']);

export interface Detection {
  service: string;
  kind: ServiceKind;
  port: number;
  fingerprint: string;
  holder: PortHolder | null;
  /** The seed's log line: "✅ Detected Vite client server on port 5173". */
  logLine: string;
}

export interface DetectOptions {
  timeoutMs?: number;
  /** Ports already taken by an earlier adoption or by this host; never adopted twice. */
  exclude?: Iterable<number>;
  /** Only these services (default: all). */
  only?: Iterable<string>;
  listening?: () => Set<number>;
  probe?: (kind: ServiceKind, port: number, timeoutMs: number) => Promise<FingerprintResult>;
  holder?: (port: number) => PortHolder | null;
}

const holderOfPort = (port: number): PortHolder | null => sharedSocketOwners().holderOf(port);

export function kindOf(stack: StackConfig, service: string): ServiceKind {
  return stack.services[service]?.kind ?? 'http';
}

export async function detectRunning(stack: StackConfig, options: DetectOptions = {}): Promise<Detection[]> {
  const timeoutMs = options.timeoutMs ?? 500;
  const listening = options.listening ? options.listening() : listeningPorts();
  const probe = options.probe ?? kindProbe;
  const holder = options.holder ?? holderOfPort;
  const taken = new Set(options.exclude ?? []);
  const only = options.only ? new Set(options.only) : undefined;

  // Probe every candidate at once; decide in config order so the first service wins a shared port.
  const candidates: Array<{ service: string; kind: ServiceKind; port: number; result: Promise<FingerprintResult> }> = [];
  for (const [service, config] of Object.entries(stack.services)) {
    if (only && !only.has(service)) continue;
    const kind = kindOf(stack, service);
    if (!ADOPTABLE_KINDS.has(kind) || config.inheritFrom) continue;
    for (const port of config.preferred ?? []) {
      if (listening.has(port) && !taken.has(port)) candidates.push({ service, kind, port, result: probe(kind, port, timeoutMs) });
    }
  }
  const detections: Detection[] = [];
  const adopted = new Set<string>();
  for (const c of candidates) {
    const result = await c.result;
    if (!result.ok || adopted.has(c.service) || taken.has(c.port)) continue;
    adopted.add(c.service);
    taken.add(c.port);
    detections.push({
      service: c.service,
      kind: c.kind,
      port: c.port,
      fingerprint: result.detail,
      holder: holder(c.port),
      logLine: detectedLine(KIND_LABEL[c.kind], c.service, c.port),
    });
  }
  return detections;
}

/** The seed's line, "✅ Detected Vite client server on port 5173", without "Redis redis server". */
export function detectedLine(label: string, service: string, port: number): string {
  const who = label.toLowerCase() === service.toLowerCase() ? label : `${label} ${service}`;
  return `✅ Detected ${who} server on port ${port}`;
}
