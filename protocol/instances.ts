// Multi-instance services (`instances: N`): the names the host gives each instance, and how a
// service's ports read as a list. An instance is an ordinary service of the served stack, named
// `<service>#<i>` (i from 1), so ports, leases, launch, reaping and health treat it like any other.
import type { ServiceConfig, StackConfig } from './config';

export const INSTANCE_SEPARATOR = '#';

export function instanceName(service: string, index: number): string {
  return `${service}${INSTANCE_SEPARATOR}${index}`;
}

/** How many instances a service runs: 1 unless `instances` says more (manito.json's checks want a command then). */
export function instanceCount(config: ServiceConfig | undefined): number {
  const n = config?.instances;
  return typeof n === 'number' && Number.isInteger(n) && n > 1 ? n : 1;
}

/** True for the service that fronts its instances on its own port (a host listener, no process). */
export function isFront(config: ServiceConfig | undefined): boolean {
  return instanceCount(config) > 1 && config?.front !== false;
}

/** The instances of `service` in order; empty for a service of one process. */
export function instancesOf(service: string, stack: StackConfig): string[] {
  const n = instanceCount(stack.services[service]);
  return n > 1 ? Array.from({ length: n }, (_, i) => instanceName(service, i + 1)) : [];
}

/** `web#2` of a stack whose `web` has 2 or more instances: `{ service: 'web', index: 2 }`. */
export function instanceOf(name: string, stack: StackConfig): { service: string; index: number } | undefined {
  const at = name.lastIndexOf(INSTANCE_SEPARATOR);
  if (at <= 0) return undefined;
  const service = name.slice(0, at);
  const index = Number(name.slice(at + 1));
  if (!Number.isInteger(index) || index < 1 || String(index) !== name.slice(at + 1)) return undefined;
  return index <= instanceCount(stack.services[service]) ? { service, index } : undefined;
}

/** `MANITO_<SERVICE>_PORTS`: every port of a service, comma-separated (its instances', or its own). */
export function servicePortsVariable(service: string): string {
  return `MANITO_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORTS`;
}

/** Instances and fronts are only ever Manito's: a listener found on their ports is never adopted as them. */
export function hostRun(name: string, stack: StackConfig): boolean {
  return instanceOf(name, stack) !== undefined || isFront(stack.services[name]);
}
