// Where hosts leave their discovery files and the shared lease registry: one folder per user,
// overridable with MANITO_STATE_DIR (tests give every run its own).
import * as os from 'node:os';
import * as path from 'node:path';

export interface DiscoveryRecord {
  version: 1;
  pid: number;
  port: number;
  url: string;
  workspace: string;
  token: string;
  startedAt: string;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MANITO_STATE_DIR) return path.resolve(env.MANITO_STATE_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32': return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'manito');
    case 'darwin': return path.join(home, 'Library', 'Application Support', 'manito');
    default: return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'manito');
  }
}

/** One `<pid>.json` per running host. */
export function hostsDir(env?: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), 'hosts');
}

export function leasesFile(env?: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), 'leases.json');
}
