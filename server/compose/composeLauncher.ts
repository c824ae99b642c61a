// Runs a workspace's compose services as Manito services: a launch of one is `compose up -d` of its
// compose service with the derived file (the engine's host ports), a stop removes its container
// once no Manito service of that compose service still runs, and a container that stops on its own
// is seen within a poll. Every other service goes to the launcher it wraps.
import type { ExitInfo, LaunchedService, Launcher } from '../launch/launcher';
import { ExitSignal } from '../launch/launcher';
import type { LaunchSpec } from '../launch/launchEnv';
import { composeCommand } from './composeServices';
import type { ComposeServiceDefinition } from './composeModel';
import type { ComposeRunner } from './composeRunner';
import type { PortPlan } from './derivedFile';

export interface ComposeLauncherOptions {
  base: Launcher;
  runner: Pick<ComposeRunner, 'start' | 'stop' | 'removeNetworks' | 'containers' | 'external'>;
  definitions: readonly ComposeServiceDefinition[];
  /** The host ports the engine holds now for every compose definition. */
  plan: () => PortPlan;
  /** How often a running container is checked for having stopped. Default 3000 ms. */
  pollMs?: number;
  log?: (line: string) => void;
}

/** A launched compose service: it has no pid of ours, but a container name the tree shows. */
type LaunchedContainer = LaunchedService & { readonly container: string };

export class ComposeLauncher implements Launcher {
  readonly runner: 'process';
  private byName: Map<string, ComposeServiceDefinition>;
  /** Compose service -> the Manito services launched on its container. */
  private readonly users = new Map<string, Set<string>>();

  constructor(private options: ComposeLauncherOptions) {
    this.runner = options.base.runner;
    this.byName = new Map(options.definitions.map((d) => [d.name, d]));
  }

  /** The compose file was read again: later launches use these definitions and runner; what runs keeps its handle. */
  update(definitions: readonly ComposeServiceDefinition[], runner: ComposeLauncherOptions['runner']): void {
    this.byName = new Map(definitions.map((d) => [d.name, d]));
    this.options = { ...this.options, definitions, runner };
  }

  isCompose(service: string): boolean {
    return this.byName.has(service);
  }

  /** The container port a compose service's host port is published to (the tree shows host:container). */
  containerPortOf(service: string): number | null {
    return this.byName.get(service)?.containerPort ?? null;
  }

  /** Logs the user's own containers of `composeService`: Manito leaves them running, and says so. */
  private reportExternal(composeService: string, when: string): Promise<void> {
    return this.options.runner.external(composeService).then((list) => {
      for (const c of list) {
        const project = c.labels['com.docker.compose.project'] ?? '?';
        this.options.log?.(`External container ${c.name} (${c.state}, Compose project ${project}) of compose service ${composeService}: not started by Manito, ${when}`);
      }
    }, () => undefined);
  }

  async launch(spec: LaunchSpec): Promise<LaunchedService> {
    const definition = this.byName.get(spec.service);
    // A service the stack names itself (manito.json or the inferred stack: `npm start` for the
    // compose service `client` built from the same folder) runs its own command, not the container.
    if (!definition || spec.command !== composeCommand(definition.composeService)) return this.options.base.launch(spec);
    const started = await this.options.runner.start(definition.composeService, this.options.plan());
    this.options.log?.(`Container ${started.containerName} (${started.containerId.slice(0, 12)}) runs compose service ${definition.composeService}`);
    let users = this.users.get(definition.composeService);
    if (!users) this.users.set(definition.composeService, users = new Set());
    users.add(spec.service);
    await this.reportExternal(definition.composeService, 'Manito leaves it alone');
    return this.launched(spec.service, definition.composeService, started.containerName, started.containerId);
  }

  private launched(service: string, composeService: string, container: string, containerId: string): LaunchedContainer {
    const exit = new ExitSignal();
    const finish = (info: ExitInfo) => {
      clearInterval(poll);
      this.users.get(composeService)?.delete(service);
      exit.fire(info);
    };
    // A container that stops on its own (crash, `docker stop`) ends the service as a process exit would.
    const poll = setInterval(() => {
      this.options.runner.containers(composeService).then((list) => {
        const mine = list.find((c) => c.id === containerId);
        if (!mine || mine.state !== 'running') finish({ code: null });
      }, () => undefined);
    }, this.options.pollMs ?? 3000);
    poll.unref();
    let stopping: Promise<void> | undefined;
    return {
      service, container, pid: null, runner: 'process',
      get exited() { return exit.fired; },
      stop: () => {
        stopping ??= (async () => {
          this.users.get(composeService)?.delete(service);
          // Another port of the same container still in use keeps it running.
          if ((this.users.get(composeService)?.size ?? 0) === 0) {
            await this.options.runner.stop(composeService);
            // The last of ours gone: the project's network goes too, as `compose down` would take it
            // (only networks: a container another launch is creating keeps its network in use).
            if ([...this.users.values()].every((u) => u.size === 0)) await this.options.runner.removeNetworks();
            await this.reportExternal(composeService, 'left running');
          }
          finish({ code: 0 });
        })();
        return stopping;
      },
      onExit: (listener) => exit.on(listener),
    };
  }
}
