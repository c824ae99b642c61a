// When a dependent of a multi-instance service may start: its front answers and at least one
// instance is healthy (the front alone would accept connections with nothing behind it).
import type { StackConfig } from '../../protocol/config';
import { instancesOf, isFront } from '../../protocol/instances';

export type WaitHealthy = (service: string, timeoutMs: number) => Promise<boolean>;

export function waitServing(stack: StackConfig, waitHealthy: WaitHealthy): WaitHealthy {
  return async (service, timeoutMs) => {
    const instances = isFront(stack.services[service]) ? instancesOf(service, stack) : [];
    if (instances.length === 0) return waitHealthy(service, timeoutMs);
    const anyInstance = new Promise<boolean>((resolve) => {
      let left = instances.length;
      const one = (ok: boolean) => { if (ok) resolve(true); else if (--left === 0) resolve(false); };
      for (const name of instances) waitHealthy(name, timeoutMs).then(one, () => one(false));
    });
    const [front, instance] = await Promise.all([waitHealthy(service, timeoutMs), anyInstance]);
    return front && instance;
  };
}
