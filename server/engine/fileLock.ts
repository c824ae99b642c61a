// A lock between processes. Taking it: link() a token file of this acquisition, whose content is
// `pid startTime tag`, to the lock path; link fails if anything is there. Releasing: remove the
// lock path while it is still our token's inode, then the token. A lock is stale only when its
// holder is done with it: dead (pid gone, reused by a process with another start time, a zombie,
// or another user's, which in the user's own state folder cannot be ours) or released (token
// gone: the lock file's link count is 1). Never by age: a holder that plans for a minute keeps it.
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
    let ino = writeToken(lockPath, token, body);
    /** True when the lock is now ours; false when something holds it. */
    const take = (): boolean => {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.linkSync(token, lockPath);
          return true;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') return false;
          if (code !== 'ENOENT' || attempt > 0) throw error;
          ino = writeToken(lockPath, token, body); // the folder, and the token in it, was removed meanwhile
        }
      }
    };
    const began = Date.now();
    for (let waitMs = 1; !take(); waitMs = Math.min(waitMs * 2, 16)) {
      const seen = look(lockPath);
      if (seen && isStale(seen)) {
        breakStale(lockPath, seen, `${token}.aside`);
        if (take()) break;
      }
      if (Date.now() - began > (options.timeoutMs ?? 15_000)) throw new LockTimeoutError(lockPath, seen?.pid, Date.now() - began);
      // Not unref()ed: the caller awaits this lock, so the process must stay up for it.
      await new Promise((resolve) => setTimeout(resolve, waitMs + Math.random() * waitMs));
    }
    try {
      return await fn();
    } finally {
      // The lock path is our token's inode only while it is our lock: one stat, not a read.
      if (inodeAt(lockPath) === ino) unlink(lockPath);
    }
  } finally {
    unlink(token);
  }
}

/** Writes this acquisition's token (creating the state folder on first use); returns its inode. */
function writeToken(lockPath: string, token: string, body: string): number {
  if (!swept.has(lockPath)) {
    fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
    sweep(lockPath);
  }
  let fd: number;
  try {
    fd = fs.openSync(token, 'w', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 }); // the folder was removed meanwhile
    fd = fs.openSync(token, 'w', 0o600);
  }
  try {
    fs.writeSync(fd, body);
    return fs.fstatSync(fd).ino;
  } finally {
    fs.closeSync(fd);
  }
}

export interface Seen { body: string; ino: number; nlink: number; pid?: number; startTime?: number; tag?: string }

/**
 * One consistent look at a lock file through one open file (inode, link count, content); null when
 * absent. The path is checked again after the read: a lock released between the open and the fstat
 * shows link count 0 or 1 (stale) while the path may already name the next holder's live lock.
 */
export function look(file: string): Seen | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    const seen = lookOnce(file);
    if (!seen || inodeAt(file) === seen.ino) return seen;
  }
  return null; // replaced on every look: some holder is busy with it, so nothing to judge
}

function lookOnce(file: string): Seen | null {
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

function inodeAt(file: string): number | undefined {
  try { return fs.statSync(file).ino; } catch { return undefined; }
}

/** Content this code did not write names no holder to wait for. */
const isStale = (seen: Seen): boolean => seen.nlink < 2 || seen.pid === undefined || !isProcessAlive(seen.pid, seen.startTime, { ours: true });

/**
 * Removes the stale lock `seen` but never a live one that replaced it since. Breakers take turns
 * (the guard file `<lock>.break`), and each looks again inside its turn: the lock at the path then
 * is either still the stale one, which no one else can remove or replace meanwhile (its holder is
 * done, takers cannot link over it, other breakers wait), or not, and is left alone. A breaker that
 * renamed a live lock aside, even to put it back, would leave the path empty for a moment in which
 * a third process takes it beside the live holder: under load that is two holders and a lost update.
 */
export function breakStale(lockPath: string, seen: Seen, aside: string): void {
  const guard = `${lockPath}.break`;
  if (!enterGuard(guard, aside)) return; // another breaker's turn: the caller looks again later
  try {
    const now = look(lockPath);
    if (!now || now.ino !== seen.ino || now.body !== seen.body || !isStale(now)) return; // released, retaken or alive
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
      // Cannot happen while breakers take turns; kept so that a surprise never removes a lock.
      try { fs.linkSync(aside, lockPath); } catch { /* taken meanwhile */ }
    }
    unlink(aside);
  } finally {
    if (look(guard)?.body === guardBody) unlink(guard);
  }
}

const guardBody = `${process.pid} ${START} ${PREFIX}-break`;

/**
 * Takes the breakers' guard: its content is written first (under `scratch`) and then linked, so a
 * guard is never seen empty. A guard is held for microseconds; one whose writer is dead (killed
 * in its turn) is removed. Residual risk: two processes removing the same dead guard, one of them
 * after the other took a new one, take turns together; that takes a breaker killed in its turn.
 */
function enterGuard(guard: string, scratch: string): boolean {
  fs.writeFileSync(scratch, guardBody, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.linkSync(scratch, guard);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const other = look(guard);
      if (other?.pid !== undefined && isProcessAlive(other.pid, other.startTime, { ours: true })) return false;
      if (other) unlink(guard);
    }
    return false;
  } finally {
    unlink(scratch);
  }
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
