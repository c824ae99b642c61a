// The user's state folder and the files in it, resolved with Node's os/path. The pure rule lives
// in protocol/stateDir.ts so the browser-safe app helpers can share it.
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveStateDir } from '../../protocol/stateDir';

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
