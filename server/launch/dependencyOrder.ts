// The order services start in: dependencies first, as manito.json's dependsOn says. Pure graph
// logic over the stack, kept apart from StackRunner so it is tested and reused without launching.
import type { StackConfig } from '../../protocol/config';

export class DependencyCycleError extends Error {}

/** Services in dependsOn order (dependencies first); throws on a cycle or an unknown dependency. */
export function dependencyOrder(stack: StackConfig, only?: Iterable<string>): string[] {
  const services = stack.services;
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new DependencyCycleError(`dependsOn has a cycle: ${cycle.join(' -> ')}`);
    }
    const config = services[name];
    if (!config) {
      const from = trail[trail.length - 1];
      throw new Error(from ? `service "${from}" depends on unknown service "${name}"` : `unknown service "${name}"`);
    }
    state.set(name, 'visiting');
    for (const dep of config.dependsOn ?? []) visit(dep, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of only ?? Object.keys(services)) visit(name, []);
  return order;
}
