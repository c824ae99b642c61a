// Which of the stack's preferred ports something holds, found by binds: a free port binds in a
// millisecond, where one read of /proc's socket tables walks the kernel's whole hash (tens of ms).
// A held port is only a candidate: detection's fingerprint still has to answer on it.
import type { StackConfig } from '../../protocol/config';
import { bindsFree } from '../engine/portProbe';
import { listeningPorts } from '../proc/tcpTable';

export async function busyPreferredPorts(stack: StackConfig, services: readonly string[]): Promise<Set<number>> {
  const ports = new Set(services.flatMap((name) => (stack.services[name]?.inheritFrom ? [] : stack.services[name]?.preferred ?? [])));
  const free = await Promise.all([...ports].map(bindsFree));
  return new Set([...ports].filter((_, i) => !free[i]));
}

/** Whether something listens on one port: a free one binds in a millisecond, where reading /proc's tables takes tens. */
export async function listensOn(port: number, listening?: () => Set<number>): Promise<boolean> {
  if (listening) return listening().has(port);
  return !(await bindsFree(port)) && listeningPorts().has(port);
}
