// The rules of `instances` that a JSON schema cannot say: an instance is a process Manito starts,
// so it needs a command of its own and a port of its own (not `inheritFrom`), and the names the
// host gives instances (`web#2`) must not be a service of the file already.
import type { ServiceConfig } from '../../protocol/config';
import { instanceCount, instanceName } from '../../protocol/instances';
import type { Seg } from './stackIssue';

type Add = (segments: Seg[], message: string) => void;

export function checkInstances(services: ReadonlyMap<string, ServiceConfig>, add: Add): void {
  for (const [name, s] of services) {
    const n = instanceCount(s);
    if (n === 1) continue;
    if (!s.command?.trim()) add(['services', name, 'instances'], `${name}: instances: ${n} needs a "command": Manito starts each instance itself (a compose or backing service without one runs once)`);
    if (s.inheritFrom !== undefined) add(['services', name, 'instances'], `${name}: instances cannot be used with inheritFrom; each instance needs a port of its own`);
    for (let i = 1; i <= n; i++) {
      const taken = instanceName(name, i);
      if (services.has(taken)) add(['services', taken], `${taken}: this name is ${name}'s instance ${i} (instances: ${n}); rename the service`);
    }
  }
}

/** `${ports.web[2]}`: web's second instance (1-based, as MANITO_INSTANCE), or the service itself as [1] when it runs once. */
export function indexedPlaceholder(target: string, services: ReadonlyMap<string, ServiceConfig>): string | undefined {
  const match = /^(.*)\[(\d+)\]$/.exec(target);
  if (!match) return undefined;
  const service = match[1]!;
  if (!services.has(service)) return `names unknown service "${service}"`;
  const n = instanceCount(services.get(service));
  const index = Number(match[2]);
  return index >= 1 && index <= n ? '' : `asks for instance ${match[2]} of "${service}", which has ${n === 1 ? 'one (write [1] or none)' : `instances 1 to ${n}`}`;
}
