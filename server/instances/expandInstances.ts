// Pure: the stack the host serves from the one manito.json says. A service with `instances: N`
// becomes N services `<name>#1..N` that run its command, each on a port of its own, and the
// service itself keeps its name and port as their front (no command: the host listens there) or,
// with `front: false`, follows its first instance's port.
import { DEFAULT_HOST_PORTS, type ServiceConfig, type StackConfig } from '../../protocol/config';
import { instanceCount, instanceName } from '../../protocol/instances';

const expanded = new WeakSet<StackConfig>();

/** True for a stack expandInstances made: its fronts have no command and its instances are services. */
export function isExpanded(stack: StackConfig): boolean {
  return expanded.has(stack);
}

/** Idempotent and cheap for a stack without instances: the same object comes back. */
export function expandInstances(stack: StackConfig): StackConfig {
  if (expanded.has(stack)) return stack;
  const names = Object.keys(stack.services);
  if (!names.some((name) => instanceCount(stack.services[name]) > 1)) return stack;
  const services: Record<string, ServiceConfig> = {};
  const hostPorts = new Set([...DEFAULT_HOST_PORTS, ...(stack.host?.ports ?? [])]);
  for (const name of names) {
    const config = stack.services[name]!;
    const n = instanceCount(config);
    if (n === 1) { services[name] = config; continue; }
    const { command: _command, preferred, strict, ...rest } = config;
    services[name] = config.front === false
      ? { ...withoutPort(rest), inheritFrom: instanceName(name, 1) }
      : { ...rest, ...(preferred ? { preferred } : {}), ...(strict !== undefined ? { strict } : {}) };
    for (let i = 1; i <= n; i++) services[instanceName(name, i)] = instanceConfig(config, i, hostPorts);
  }
  const result = { ...stack, services };
  expanded.add(result);
  return result;
}

function withoutPort(config: ServiceConfig): ServiceConfig {
  const { inheritFrom: _inherit, ...rest } = config;
  return rest;
}

/**
 * Tries the port `index` after the service's first preferred one, so instances sit beside their
 * front; none when that is past 65535 or the host's own (the engine refuses a stack preferring those).
 */
function instanceConfig(config: ServiceConfig, index: number, hostPorts: ReadonlySet<number>): ServiceConfig {
  const { instances: _n, front: _front, preferred, strict: _strict, description, ...rest } = config;
  const base = preferred?.[0];
  const port = base === undefined ? undefined : base + index;
  return {
    ...rest,
    ...(port !== undefined && port <= 65535 && !hostPorts.has(port) ? { preferred: [port] } : {}),
    description: `${description ?? 'instance'} #${index}`,
  };
}
