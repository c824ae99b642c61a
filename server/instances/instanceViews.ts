// Pure: marks the snapshot's rows of a multi-instance service: each instance row says whose it is,
// and the service's own row counts its instances and the healthy ones ("3 instances: 2 healthy").
import type { StackConfig } from '../../protocol/config';
import { instanceOf, instancesOf } from '../../protocol/instances';
import type { ServiceView } from '../../protocol/model';

export function withInstances(services: ServiceView[], stack: StackConfig): ServiceView[] {
  if (!services.some((s) => instancesOf(s.name, stack).length > 0)) return services;
  const byName = new Map(services.map((s) => [s.name, s]));
  return services.map((s) => {
    const owner = instanceOf(s.name, stack);
    // An instance is reached through its service's front: no named URL of its own (web#1 would read web-1).
    if (owner) { const { namedUrl: _named, ...rest } = s; return { ...rest, instanceOf: owner }; }
    const names = instancesOf(s.name, stack);
    if (names.length === 0) return s;
    const healthy = names.filter((n) => byName.get(n)?.health === 'healthy').length;
    // The front runs no command of its own, but Start on it starts its instances (and the front).
    return { ...s, hasCommand: true, instances: { total: names.length, healthy } };
  });
}
