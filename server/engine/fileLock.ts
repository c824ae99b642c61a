// A lock between processes. Taking it: link() a token file of this acquisition, whose content is
// `pid startTime tag`, to the lock path; link fails if anything is there. Releasing: remove the
// lock path, then the token. A lock is stale only when its holder is done with it: dead (pid gone,
// reused by a process with another start time, a zombie, or another user's, which in the user's
// own state folder cannot be ours) or released (token gone: the lock file's link count is 1).
// Never by age: a holder that plans for a minute keeps its lock.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive, processStartTime } from './processAlive';

/** timeoutMs: give up waiting after this long (default 15 s), with a LockTimeoutError naming the holder's pid. */
export interface FileLockOptions { timeoutMs?: number }

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly holderPid: number | undefined, waitedMs: number) {
    super(`could not lock ${lockPath} within ${waitedMs} ms${holderPid ? `: held by pid ${holderPid}` : ''}`);
    this.name = 'LockTimeoutError';
  }
}

const START = processStartTime(process.pid) ?? '-';
const PREFIX = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
const TAG = /^(\d+)-[0-9a-f]+-[0-9a-z]+$/;
let acquisitions = 0;
const swept = new Set<string>();

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  const tag = `${PREFIX}-${(acquisitions++).toString(36)}`;
  const token = `${lockPath}.${tag}`;
  const body = `${process.pid} ${START} ${tag}`;
  try {
    const began = Date.now();
    for (let waitMs = 1; !tryLink(lockPath, token, body); waitMs = Math.min(waitMs * 2, 16)) {
      const seen = look(lockPath);
      if (seen && isStale(seen)) {
        breakStale(lockPath, seen, `${token}.aside`);
        if (tryLink(lockPath, token, body)) break;
      }
      if (Date.now() - began > (options.timeoutMs ?? 15_000)) throw new LockTimeoutError(lockPath, seen?.pid, Date.now() - began);
      // Not unref()ed: the caller awaits this lock, so the process must stay up for it.
      await new Promise((resolve) => setTimeout(resolve, waitMs + Math.random() * waitMs));
    }
    try {
      return await fn();
    } finally {
      if (look(lockPath)?.body === body) unlink(lockPath);
    }
  } finally {
    unlink(token);
  }
}

/** True when the lock is now ours; false when something holds it. The token is written on first need. */
function tryLink(lockPath: string, token: string, body: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.linkSync(token, lockPath);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'ENOENT' || attempt > 1) throw error;
      fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 }); // no token yet, or the folder was removed
      sweep(lockPath);
      fs.writeFileSync(token, body, { mode: 0o600 });
    }
  }
}

export interface Seen { body: string; ino: number; nlink: number; pid?: number; startTime?: number; tag?: string }

/** One consistent look at a lock file through one open file (inode, link count, content); null when absent. */
export function look(file: string): Seen | null {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return null; }
  try {
    const { ino, nlink } = fs.fstatSync(fd);
    const body = fs.readFileSync(fd, 'utf8');
    const m = /^(\d+) (\d+|-) (\S+)$/.exec(body);
    if (!m || !TAG.test(m[3])) return { body, ino, nlink };
    return { body, ino, nlink, pid: Number(m[1]), tag: m[3], ...(m[2] === '-' ? {} : { startTime: Number(m[2]) }) };
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Content this code did not write names no holder to wait for. */
const isStale = (seen: Seen): boolean => seen.nlink < 2 || seen.pid === undefined || !isProcessAlive(seen.pid, seen.startTime, { ours: true });

/**
 * Removes the stale lock `seen` but never a live one that replaced it since: the lock file is
 * renamed aside under this acquisition's name (a rename moves a file to one breaker only), removed
 * if it is the very file judged stale, else put back with link(). Residual risk: a live lock moved
 * aside leaves the path empty until it is put back (microseconds; for good if the breaker dies in
 * between), and a process taking the path then holds the lock beside the live holder. That takes
 * two breakers of one dead lock, one retaking it between the other's look and rename, and a third
 * process linking in that gap.
 */
export function breakStale(lockPath: string, seen: Seen, aside: string): void {
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = look(aside);
  if (moved?.ino === seen.ino && moved.body === seen.body) {
    if (seen.tag) unlink(`${lockPath}.${seen.tag}`); // the dead holder's token
  } else {
    try { fs.linkSync(aside, lockPath); } catch { /* taken meanwhile: the residual risk above */ }
  }
  unlink(aside);
}

/** Tokens and aside names of processes killed before they removed them; once per lock per process. */
function sweep(lockPath: string): void {
  if (swept.has(lockPath)) return;
  swept.add(lockPath);
  const [dir, base] = [path.dirname(lockPath), `${path.basename(lockPath)}.`];
  for (const name of fs.readdirSync(dir)) {
    const pid = name.startsWith(base) ? Number(TAG.exec(name.slice(base.length).replace(/\.aside$/, ''))?.[1]) : NaN;
    if (pid && pid !== process.pid && !isProcessAlive(pid, undefined, { ours: true })) unlink(path.join(dir, name));
  }
}

function unlink(file: string): void {
  try { fs.unlinkSync(file); } catch { /* gone already */ }
}
