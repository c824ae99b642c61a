// Pure: turns one service's config and the stack's assigned ports into what a launcher runs
// (command, cwd, env). Terminals and headless processes get exactly the same spec.
import * as path from 'node:path';
import { servicePortVariable, serviceUrlVariable, type ServiceConfig, type StackConfig } from '../../protocol/config';
import { instanceName, instanceOf, instancesOf, servicePortsVariable } from '../../protocol/instances';

export interface LaunchSpec {
  service: string;
  /** Terminal name and output prefix: the service's name. */
  name: string;
  command: string;
  /** Absolute. */
  cwd: string;
  /** Only what Manito adds (ports, the service's own env); launchers lay it over their base env. */
  env: Record<string, string>;
  /** The front of a multi-instance service: the host listens on its port (server/instances/frontLauncher.ts); nothing is run. */
  front?: true;
}

export function frontSpec(service: string, workspace: string): LaunchSpec {
  return { service, name: service, command: `round-robin front of ${service}`, cwd: workspace, env: {}, front: true };
}

export class LaunchEnvError extends Error {
  constructor(readonly service: string, message: string) {
    super(message);
    this.name = 'LaunchEnvError';
  }
}

export interface LaunchEnvInput {
  service: string;
  config: ServiceConfig;
  /** Assigned port of every service of the stack that has one. */
  ports: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  workspace: string;
  /** Names of every service of the stack, for error messages (default: the keys of `ports`). */
  services?: Iterable<string>;
  /** Each service's URL (the named one where the proxy gives one), as MANITO_<SERVICE>_URL. */
  urls?: ReadonlyMap<string, string>;
  /** The served stack (instances expanded), to tell instances apart: MANITO_INSTANCE, MANITO_<SERVICE>_PORTS, `${ports.x[i]}`. */
  stack?: StackConfig;
  /** Variables laid under Manito's own (default none: launchers add the process environment). */
  baseEnv?: Readonly<Record<string, string | undefined>>;
}

const PLACEHOLDER = /\$\{(port|ports\.([^}]*))\}/g;

/**
 * Replace `${port}` and `${ports.<name>}`; anything else (`$PORT`, `${HOME}`) is left to the shell.
 * `services` (every service of the stack) tells an unknown name from a known one without a port.
 */
export function substitutePorts(text: string, service: string, ports: ReadonlyMap<string, number>, where: string,
  services?: ReadonlySet<string>, stack?: StackConfig): string {
  return text.replace(PLACEHOLDER, (_match, _whole: string, other: string | undefined) => {
    const target = other === undefined ? service : indexedTarget(other, stack);
    const port = ports.get(target);
    if (port !== undefined) return String(port);
    if (other !== undefined && !(services?.has(target))) {
      const known = [...(services ?? ports.keys())].sort();
      throw new LaunchEnvError(service, `service "${service}": \${ports.${target}} in ${where} names an unknown service` +
        (known.length ? ` (known: ${known.join(', ')})` : ''));
    }
    const placeholder = other === undefined ? '${port}' : `\${ports.${target}}`;
    throw new LaunchEnvError(service, `service "${service}": ${placeholder} in ${where}, but "${target}" has no assigned port`);
  });
}

/** `web[2]` is web's instance 2 (`web#2`), or web itself as `web[1]` when it runs once. */
function indexedTarget(target: string, stack: StackConfig | undefined): string {
  const match = /^(.*)\[(\d+)\]$/.exec(target);
  if (!match || !stack) return target;
  const instances = instancesOf(match[1]!, stack);
  const index = Number(match[2]);
  if (instances.length === 0) return index === 1 ? match[1]! : target;
  return index >= 1 && index <= instances.length ? instanceName(match[1]!, index) : target;
}

/** Code-unit order: any fixed order serves the environment, and a collator's first use costs milliseconds at the first launch. */
const byName = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/** MANITO_<SERVICE>_PORT (its front's, for a multi-instance one) and MANITO_<SERVICE>_PORTS; instances get no variable of their own. */
function portVariables(env: Record<string, string>, ports: ReadonlyMap<string, number>, stack: StackConfig | undefined): void {
  for (const [name, port] of [...ports].sort(byName)) {
    if (stack && instanceOf(name, stack)) continue;
    env[servicePortVariable(name)] = String(port);
    const instances = stack ? instancesOf(name, stack).map((i) => ports.get(i)) : [];
    const all = instances.length > 0 ? instances : [port];
    if (all.every((p) => p !== undefined)) env[servicePortsVariable(name)] = all.join(',');
  }
}

function toMap(ports: LaunchEnvInput['ports']): ReadonlyMap<string, number> {
  return ports instanceof Map ? ports : new Map(Object.entries(ports as Record<string, number>));
}

export function buildLaunchSpec(input: LaunchEnvInput): LaunchSpec {
  const { service, config, workspace } = input;
  const ports = toMap(input.ports);
  const services = new Set(input.services ?? ports.keys());
  if (!config.command || !config.command.trim()) {
    throw new LaunchEnvError(service, `service "${service}" has no command`);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv ?? {})) {
    if (value !== undefined) env[key] = value;
  }
  portVariables(env, ports, input.stack);
  for (const [name, url] of [...(input.urls ?? [])].sort(byName)) {
    env[serviceUrlVariable(name)] = url;
  }
  const own = ports.get(service);
  if (own !== undefined) env[config.portEnv || 'PORT'] = String(own);
  const instance = input.stack ? instanceOf(service, input.stack) : undefined;
  if (instance) env.MANITO_INSTANCE = String(instance.index);
  for (const [key, value] of Object.entries(config.env ?? {})) {
    env[key] = substitutePorts(String(value), service, ports, `env.${key}`, services, input.stack);
  }
  return {
    service,
    name: service,
    command: substitutePorts(config.command, service, ports, 'command', services, input.stack),
    cwd: path.resolve(workspace, config.cwd ?? '.'),
    env,
  };
}
