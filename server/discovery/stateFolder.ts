// The user's Manito state folder (discovery records, leases, usage): where it is, and making sure it
// is one Manito can trust before anything is written into it or read from it: a real folder, owned
// by the user, mode 0700. Overridable with MANITO_STATE_DIR (tests give every run its own).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { folderProblem, type PathFacts } from '../../protocol/discovery';
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

/** The user's uid, or undefined where the platform has none. */
export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** lstat as PathFacts; undefined when nothing is there. */
export function pathFacts(p: string): PathFacts | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { isSymbolicLink: st.isSymbolicLink(), isDirectory: st.isDirectory(), isFile: st.isFile(), uid: st.uid, mode: st.mode & 0o777 };
}

export class StateFolderError extends Error {}

/**
 * Creates `dir` (and missing parents) 0700, or checks the one that is there. A folder of the
 * user's own with a wider mode (an older Manito made it 0755) is narrowed; a symlink or another
 * user's folder is refused with an error that says what to do.
 */
export function ensureTrustedFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const facts = pathFacts(dir);
  if (!facts) throw new StateFolderError(`Could not create the Manito state folder ${dir}`);
  const uid = currentUid();
  const problem = folderProblem(dir, facts, uid);
  if (!problem) return;
  if (!facts.isSymbolicLink && facts.isDirectory && (uid === undefined || facts.uid === uid)) {
    fs.chmodSync(dir, 0o700);
    return;
  }
  throw new StateFolderError(`Refusing to use the Manito state folder: ${problem}. Set MANITO_STATE_DIR to another folder or fix this one.`);
}

/** The state folder and its hosts folder, trusted (see ensureTrustedFolder). */
export function ensureStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDir(env);
  ensureTrustedFolder(dir);
  ensureTrustedFolder(hostsDir(env));
  return dir;
}
