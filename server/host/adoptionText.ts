// What the host says when it adopts a running service or refuses a listener as foreign: the log
// line, the lease's explanation and the feed's event, in one place so every surface reads the same.
import type { EventBody } from '../../protocol/model';
import type { Detection, Refusal } from '../detect/detectRunning';
import { describeHolder } from '../detect/listenerProof';

export function refusalText(r: Refusal): { message: string; event: EventBody } {
  const message = `${r.port} is held by ${describeHolder(r.holder)}, which is not ${r.service}: ${r.why}; not adopted`;
  return { message, event: { type: 'foreign', service: r.service, port: r.port, holder: r.holder, when: 'beforeLaunch', message } };
}

export function adoptionText(d: Detection): { logLine: string; explanation: string; event: EventBody } {
  const logLine = d.how === 'manito' ? `${d.logLine} (started by Manito, pid ${d.record?.pid ?? d.holder?.pid})` : `${d.logLine} (external: not started by Manito)`;
  const who = d.holder?.pid ? ` (pid ${d.holder.pid}${d.holder.command ? `, ${d.holder.command.slice(0, 60)}` : ''})` : '';
  const what = d.how === 'manito' ? 'still running from an earlier Manito start; taken back' : 'adopted as external instead of starting another';
  return {
    logLine,
    explanation: `${d.service} was already running on ${d.port}${who}; ${what}`,
    event: {
      type: 'detected', service: d.service, port: d.port, fingerprint: d.fingerprint,
      ...(d.holder?.pid ? { pid: d.holder.pid } : {}), ...(d.holder?.command ? { command: d.holder.command } : {}),
      ...(d.how === 'external' ? { external: true } : {}),
    },
  };
}
