// Pure: turns one service's config and the stack's assigned ports into what a launcher runs
// (command, cwd, env). Terminals and headless processes get exactly the same spec.
import * as path from 'node:path';
import { servicePortVariable, serviceUrlVariable, type ServiceConfig } from '../../protocol/config';

export interface LaunchSpec {
  service: string;
  /** Terminal name and output prefix: the service's name. */
  name: string;
  command: string;
  /** Absolute. */
  cwd: string;
  /** Only what Manito adds (ports, the service's own env); launchers lay it over their base env. */
  env: Record<string, string>;
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
  /** Variables laid under Manito's own (default none: launchers add the process environment). */
  baseEnv?: Readonly<Record<string, string | undefined>>;
}

const PLACEHOLDER = /\$\{(port|ports\.([^}]*))\}/g;

/**
 * Replace `${port}` and `${ports.<name>}`; anything else (`$PORT`, `${HOME}`) is left to the shell.
 * `services` (every service of the stack) tells an unknown name from a known one without a port.
 */
export function substitutePorts(text: string, service: string, ports: ReadonlyMap<string, number>, where: string,
  services?: ReadonlySet<string>): string {
  return text.replace(PLACEHOLDER, (_match, _whole: string, other: string | undefined) => {
    const target = other === undefined ? service : other;
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
  for (const [name, port] of [...ports].sort(([a], [b]) => a.localeCompare(b))) {
    env[servicePortVariable(name)] = String(port);
  }
  for (const [name, url] of [...(input.urls ?? [])].sort(([a], [b]) => a.localeCompare(b))) {
    env[serviceUrlVariable(name)] = url;
  }
  const own = ports.get(service);
  if (own !== undefined) env[config.portEnv || 'PORT'] = String(own);
  for (const [key, value] of Object.entries(config.env ?? {})) {
    env[key] = substitutePorts(String(value), service, ports, `env.${key}`, services);
  }
  return {
    service,
    name: service,
    command: substitutePorts(config.command, service, ports, 'command', services),
    cwd: path.resolve(workspace, config.cwd ?? '.'),
    env,
  };
}
