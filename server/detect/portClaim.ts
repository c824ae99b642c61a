// Closes the gap between allocation and launch (issue 12 rule 2). Right before a launch, the
// service's port is checked again: a listener is adopted only by proof, and a foreign one makes the
// engine move the service first. After a launch, the listener on the port must belong to the
// service's own process tree; if a foreign process won the race, the service is moved (and the
// runner restarts it). Every move names the holder in a 'foreign' event.
import type { ServiceKind } from '../../protocol/config';
import type { EventBody } from '../../protocol/model';
import type { PortEngineApi } from '../engine/engineApi';
import { bindsFree } from '../engine/portProbe';
import type { ProcessRecord } from '../proc/processIdentity';
import { ADOPTABLE_KINDS, detectedLine, provingRecord, type Detection } from './detectRunning';
import { KIND_LABEL, kindProbe, tcpProbe } from './fingerprints';
import { describeHolder, holderOfVerdict, proveListener } from './listenerProof';

export type ClaimResult =
  /** Nothing listens on the (possibly new) port: launch there. */
  | { type: 'free'; port: number }
  /** Before launch: the service runs already, proven; do not start another. */
  | { type: 'adopted'; detection: Detection }
  /** After launch: the listener is the service's own process. */
  | { type: 'ours'; port: number }
  /** After launch: a foreign process won; the service was moved to `port` and must be restarted there. */
  | { type: 'moved'; port: number }
  | { type: 'failed'; message: string };

export interface ClaimOptions {
  service: string;
  when: 'beforeLaunch' | 'afterLaunch';
  engine: Pick<PortEngineApi, 'get' | 'setRunning' | 'heal'>;
  kind: ServiceKind;
  roots: readonly string[];
  started: readonly ProcessRecord[];
  onForeign: (event: Extract<EventBody, { type: 'foreign' }>) => void;
  probeTimeoutMs?: number;
  /**
   * After launch, while the service runs: 'free' when nothing answers a connect on loopback, without
   * naming a holder (which reads /proc's socket tables: a walk of the kernel's whole TCP hash, ~10 ms
   * of this thread on a large machine). The watch still makes a full look every second.
   */
  quick?: boolean;
}

/** A few rounds at most: each foreign holder moves the service once. */
const MAX_MOVES = 4;

export async function claimPort(options: ClaimOptions): Promise<ClaimResult> {
  const { service, when, engine, kind } = options;
  for (let round = 0; round < MAX_MOVES; round++) {
    const port = engine.get(service)?.port;
    if (port === undefined) return { type: 'failed', message: `${service} has no port` };
    // Before a launch nothing of ours can be binding it, so a bind may ask: a free port answers in
    // a fraction of a millisecond, where naming a listener reads /proc's socket tables.
    if (when === 'beforeLaunch' && await bindsFree(port)) return { type: 'free', port };
    if (when === 'afterLaunch' && options.quick && !(await tcpProbe(port, 250)).ok) return { type: 'free', port };
    let fingerprint = '';
    const verdict = await proveListener({
      port, started: options.started, roots: options.roots,
      fingerprint: async () => {
        const result = await kindProbe(kind, port, options.probeTimeoutMs ?? 1500);
        fingerprint = result.detail;
        return result.ok;
      },
    });
    if (!verdict) return { type: 'free', port };
    if (verdict.adopt && verdict.how === 'manito') {
      if (when === 'afterLaunch') return { type: 'ours', port };
      const record = provingRecord(options.started, verdict.facts.pid);
      return { type: 'adopted', detection: { ...detection(service, kind, port, 'manito', fingerprint, verdict), ...(record ? { record } : {}) } };
    }
    // Before a launch a proven same-user listener of a specific kind is the service, found running;
    // after a launch only the service's own tree counts.
    if (verdict.adopt && when === 'beforeLaunch' && ADOPTABLE_KINDS.has(kind)) {
      return { type: 'adopted', detection: detection(service, kind, port, 'external', fingerprint, verdict) };
    }
    const holder = holderOfVerdict(verdict);
    const why = verdict.adopt ? `it is not ${service}'s process` : verdict.why;
    engine.setRunning(service, false);
    await engine.heal();
    const moved = engine.get(service)?.port;
    if (moved === undefined || moved === port) {
      return { type: 'failed', message: `${port} is held by ${describeHolder(holder)} (${why}) and ${service} could not be moved` };
    }
    const message = when === 'beforeLaunch'
      ? `${port} was taken by ${describeHolder(holder)} before ${service} started (${why}); ${service} moved to ${moved}`
      : `${describeHolder(holder)} won the race for ${port}, not ${service} (${why}); ${service} moved to ${moved} and restarted`;
    options.onForeign({ type: 'foreign', service, port, holder, when, message });
    if (when === 'afterLaunch') return { type: 'moved', port: moved };
  }
  return { type: 'failed', message: `${service}: every port tried was taken by another process` };
}

function detection(service: string, kind: ServiceKind, port: number, how: 'manito' | 'external', fingerprint: string, verdict: Parameters<typeof holderOfVerdict>[0]): Detection {
  return {
    service, kind, port, how, holder: holderOfVerdict(verdict),
    fingerprint: fingerprint || `${KIND_LABEL[kind]} started by Manito`,
    logLine: detectedLine(KIND_LABEL[kind], service, port),
  };
}
