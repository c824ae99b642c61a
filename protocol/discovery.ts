// Where hosts leave their discovery files and the shared lease registry: one folder per user,
// overridable with MANITO_STATE_DIR (tests give every run its own).
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveStateDir } from './stateDir';

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
  return resolveStateDir({ env, platform: process.platform, home: os.homedir, join: path.join, resolve: path.resolve });
}

/** One `<pid>.json` per running host. */
export function hostsDir(env?: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), 'hosts');
}

export function leasesFile(env?: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), 'leases.json');
}
