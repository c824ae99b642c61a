// Launches the front of a multi-instance service: a LaunchedService whose "process" is the host's
// own round-robin listener on the service's port (frontPort.ts), so the runner starts, stops and
// reports it like any service, and it ends with the host. Every other spec goes to the launcher below.
import type { StackConfig } from '../../protocol/config';
import { instanceOf, instancesOf } from '../../protocol/instances';
import type { HealthState } from '../../protocol/model';
import { ExitSignal, type LaunchedService, type Launcher } from '../launch/launcher';
import { createFrontPort } from './frontPort';

export interface FrontContext {
  stack: () => StackConfig;
  port: (service: string) => number | undefined;
  health: (service: string) => HealthState | undefined;
  /** Subscribes to services turning healthy; returns the unsubscribe. */
  onHealthy: (listener: (service: string) => void) => () => void;
}

/** An instance gets traffic unless the monitor saw it fail or stop; one still starting is tried (a refusal backs it off). */
export function takesTraffic(state: HealthState | undefined): boolean {
  return state !== 'unhealthy' && state !== 'stopped';
}

export function withFronts(base: Launcher, context: FrontContext): Launcher {
  return {
    runner: base.runner,
    ...(base.attachReaper ? { attachReaper: (reaper) => base.attachReaper!(reaper) } : {}),
    // Compose's launcher below knows each container's port: the tooltip's published mapping needs it.
    ...(base.containerPortOf ? { containerPortOf: (service) => base.containerPortOf!(service) } : {}),
    launch: (spec) => (spec.front ? launchFront(spec.service, context) : base.launch(spec)),
  };
}

async function launchFront(service: string, context: FrontContext): Promise<LaunchedService> {
  const port = context.port(service);
  if (port === undefined) throw new Error(`${service} has no port for its front`);
  const ports = () => {
    const byPort = new Map<number, string>();
    for (const name of instancesOf(service, context.stack())) {
      const p = context.port(name);
      if (p !== undefined) byPort.set(p, name);
    }
    return byPort;
  };
  const front = createFrontPort({
    instances: () => [...ports().keys()],
    healthy: (p) => takesTraffic(context.health(ports().get(p) ?? '')),
  });
  await front.listen(port);
  const unsubscribe = context.onHealthy((name) => {
    const instance = instanceOf(name, context.stack());
    const p = instance?.service === service ? context.port(name) : undefined;
    if (p !== undefined) front.healed(p);
  });
  const exit = new ExitSignal();
  let closing: Promise<void> | undefined;
  return {
    service,
    pid: null,
    runner: 'process',
    get exited() { return exit.fired; },
    stop: () => {
      closing ??= (async () => {
        unsubscribe();
        await front.close();
        exit.fire({ code: null });
      })();
      return closing;
    },
    onExit: (listener) => exit.on(listener),
  };
}
