// How a port-engine event reads on the host's event feed (the typed EventBody of protocol/model).
import type { EventBody } from '../../protocol/model';
import type { Assignment, EngineEvent } from '../engine/engineApi';

export function engineEventBody(e: EngineEvent): EventBody | undefined {
  const withHolder = (a: Assignment) => (a.holder ? { holder: a.holder } : {});
  switch (e.type) {
    case 'assigned': return { type: 'assigned', service: e.assignment.service, port: e.assignment.port, reason: e.assignment.reason, explanation: e.assignment.explanation, ...withHolder(e.assignment) };
    case 'moved': return { type: 'moved', service: e.assignment.service, from: e.from, to: e.assignment.port, explanation: e.assignment.explanation, ...withHolder(e.assignment) };
    case 'released': return { type: 'released', service: e.service, port: e.port };
    case 'allocationFailed': return { type: 'allocationFailed', service: e.service, message: e.message };
  }
  return undefined;
}
