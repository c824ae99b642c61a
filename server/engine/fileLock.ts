// A cross-process lock: a path created exclusively, as a symlink whose target names the holder
// (one syscall, no data block) or, where symlinks are not allowed, as a file created with O_EXCL.
// A holder that died (dead pid) or hung past `staleMs` is broken, under a second short-lived lock
// so that two processes breaking the same stale lock at once cannot each delete a lock the other
// has just taken.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive, processStartTime } from './processAlive';

export interface FileLockOptions {
  /** A lock older than this is broken even if its pid still runs (a hung or reused pid). */
  staleMs?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
  clock?: () => number;
  isAlive?: (pid: number, startTime?: number) => boolean;
}

interface LockBody {
  pid: number;
  startTime?: number;
}

const OWN_START = processStartTime(process.pid);
/** Tokens are this process's prefix and a counter: unique without a random draw per lock. */
const TOKEN_PREFIX = `${process.pid}:${OWN_START ?? ''}:${crypto.randomBytes(6).toString('hex')}-`;
let tokenCounter = 0;
/**
 * Symlinks cost one syscall and live in the inode (ext4 "fast symlinks"), about a third of an
 * O_EXCL file's create, write and close. Windows and some mounted filesystems refuse them; then
 * this process uses files. Both kinds exclude each other, since either create fails on any
 * existing path, and inspect() reads both.
 */
let useSymlinks = process.platform !== 'win32';

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly holderPid: number | undefined, waitedMs: number) {
    super(`could not lock ${lockPath} within ${waitedMs} ms${holderPid ? `: held by pid ${holderPid}` : ''}`);
    this.name = 'LockTimeoutError';
  }
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  const token = `${TOKEN_PREFIX}${(tokenCounter++).toString(36)}`;
  // Uncontended, the lock is taken synchronously: no timer, no extra promise.
  if (!tryCreate(lockPath, token)) await waitFor(lockPath, token, options);
  try {
    return await fn();
  } finally {
    release(lockPath, token);
  }
}

/** True when the lock was created and is ours; false when something holds it. */
function tryCreate(lockPath: string, token: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      if (useSymlinks) fs.symlinkSync(token, lockPath);
      else createFile(lockPath, token);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT' && attempt === 0) {
        fs.mkdirSync(path.dirname(lockPath), { recursive: true }); // first use of the state dir
        continue;
      }
      if (useSymlinks && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')) {
        useSymlinks = false;
        continue;
      }
      throw error;
    }
  }
}

function createFile(lockPath: string, token: string): void {
  const fd = fs.openSync(lockPath, 'wx');
  try {
    fs.writeSync(fd, token);
  } finally {
    fs.closeSync(fd);
  }
}

async function waitFor(lockPath: string, token: string, options: FileLockOptions): Promise<void> {
  const clock = options.clock ?? Date.now;
  const staleMs = options.staleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const isAlive = options.isAlive ?? isProcessAlive;
  const began = Date.now();
  let waitMs = 1;
  for (;;) {
    const seen = inspect(lockPath);
    if (seen) {
      const dead = seen.body !== null && !isAlive(seen.body.pid, seen.body.startTime);
      const old = clock() - seen.mtimeMs > staleMs;
      if (dead || old) {
        breakStale(lockPath, seen.raw, staleMs, clock);
        if (tryCreate(lockPath, token)) return;
      }
    }
    if (Date.now() - began > timeoutMs) throw new LockTimeoutError(lockPath, seen?.body?.pid, Date.now() - began);
    // Not unref()ed on purpose: the caller is awaiting this lock, the process must stay up for it.
    await new Promise((resolve) => setTimeout(resolve, waitMs + Math.random() * waitMs));
    waitMs = Math.min(waitMs * 2, 16);
    if (tryCreate(lockPath, token)) return;
  }
}

/** The lock's text: a symlink's target, or a file's content. Null when there is no lock. */
function readRaw(lockPath: string): string | null {
  try {
    return fs.readlinkSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // no lock
  }
  try {
    return fs.readFileSync(lockPath, 'utf8'); // a file lock (this process's fallback, or another's)
  } catch {
    return null;
  }
}

/** `pid:startTime:nonce`, or the JSON `{ pid, startTime?, nonce }` that file locks used to hold. */
function parseBody(raw: string): LockBody | null {
  if (raw.startsWith('{')) {
    try {
      const body = JSON.parse(raw) as Partial<LockBody>;
      return Number.isInteger(body.pid) ? { pid: body.pid!, ...(typeof body.startTime === 'number' ? { startTime: body.startTime } : {}) } : null;
    } catch {
      return null;
    }
  }
  const [pid, start] = raw.split(':');
  if (!/^\d+$/.test(pid ?? '')) return null;
  return { pid: Number(pid), ...(start ? { startTime: Number(start) } : {}) };
}

function inspect(lockPath: string): { raw: string; body: LockBody | null; mtimeMs: number } | null {
  let mtimeMs: number;
  try {
    mtimeMs = fs.lstatSync(lockPath).mtimeMs;
  } catch {
    return null; // released between our create and our look
  }
  const raw = readRaw(lockPath);
  if (raw === null) return null;
  // An unparsable body is a file lock whose writer is between open and write (or died there): judged by age alone.
  return { raw, body: parseBody(raw), mtimeMs };
}

function breakStale(lockPath: string, staleRaw: string, staleMs: number, clock: () => number): void {
  const breaker = `${lockPath}.break`;
  try {
    fs.closeSync(fs.openSync(breaker, 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone else is breaking it. A breaker left by a process killed mid-break is cleared by age.
    try {
      if (clock() - fs.statSync(breaker).mtimeMs > staleMs) fs.unlinkSync(breaker);
    } catch { /* already gone */ }
    return;
  }
  try {
    // Only remove the lock if it is still the very one judged stale, not a fresh one taken since.
    if (readRaw(lockPath) === staleRaw) fs.unlinkSync(lockPath);
  } catch { /* gone already */ } finally {
    try { fs.unlinkSync(breaker); } catch { /* gone already */ }
  }
}

function release(lockPath: string, token: string): void {
  // If ours was broken as stale (we hung), the path now belongs to someone else: leave it.
  if (readRaw(lockPath) !== token) return;
  try {
    fs.unlinkSync(lockPath);
  } catch { /* already gone */ }
}
