// What a host needs to take its part in the user's proxy: the settings (port, on or off) from the
// environment or the caller, and one call that starts the role on the user's lease registry.
import { leasesFile } from '../discovery/stateFolder';
import { ProxyRole } from './proxyRole';
import { RouteSource } from './routeSource';

/**
 * Below every system's ephemeral range (Linux 32768+, macOS and Windows 49152+), so an outgoing
 * connection never takes it; outside the ranges dev servers use (3000-9999) and the host's own
 * API ports (41730-41749).
 */
export const DEFAULT_PROXY_PORT = 14730;

export interface ProxySettings {
  enabled: boolean;
  port: number;
  /** Set when a value was given but not usable; the default was taken instead. */
  problem?: string;
}

/** `MANITO_PROXY=off` (or 0/false) turns the proxy off; `MANITO_PROXY_PORT` moves it; `port` from the caller wins. */
export function proxySettings(env: NodeJS.ProcessEnv, port?: number): ProxySettings {
  const enabled = !/^(0|off|false|no)$/i.test(env.MANITO_PROXY?.trim() ?? '');
  const given = port ?? env.MANITO_PROXY_PORT;
  if (given === undefined || given === '') return { enabled, port: DEFAULT_PROXY_PORT };
  const n = typeof given === 'number' ? given : /^\d+$/.test(given.trim()) ? Number(given.trim()) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return { enabled, port: n };
  return { enabled, port: DEFAULT_PROXY_PORT, problem: `proxy port ${JSON.stringify(given)} (MANITO_PROXY_PORT) is not a port 1-65535; using ${DEFAULT_PROXY_PORT}` };
}

export interface StartHostProxyOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides MANITO_PROXY_PORT (e.g. from an editor setting). */
  port?: number;
  log: { info(line: string): void; warn(line: string): void; error(line: string, error?: unknown): void };
  retryMs?: number;
}

/** Starts this host's part in the user's proxy; undefined when the user turned it off. Never throws. */
export async function startHostProxy(options: StartHostProxyOptions): Promise<ProxyRole | undefined> {
  const env = options.env ?? process.env;
  const settings = proxySettings(env, options.port);
  if (settings.problem) options.log.warn(`Proxy: ${settings.problem}`);
  if (!settings.enabled) return undefined;
  const routes = new RouteSource({ leasesFile: leasesFile(env), onError: (message, error) => options.log.error(message, error) });
  const role = new ProxyRole({ port: settings.port, routes, log: options.log, retryMs: options.retryMs });
  try {
    await role.start();
  } catch (error) {
    options.log.error('Starting the proxy failed', error);
    await role.stop();
    return undefined;
  }
  return role;
}
