// A cross-process lock: the lock path is created exclusively, as a hard link to this process's
// token file (naming pid and start time) or, where hard links are refused, as a file created with
// O_EXCL. A holder that died (dead pid) or hung past `staleMs` is broken, under a second
// short-lived lock so that two processes breaking the same stale lock at once cannot each delete
// a lock the other has just taken.
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
const OWN_TAG = crypto.randomBytes(6).toString('hex');
/** What this process's locks say: `pid:startTime:tag`. */
const OWN_BODY = `${process.pid}:${OWN_START ?? ''}:${OWN_TAG}`;

/**
 * link() only adds a name to an inode that exists already: no inode to allocate, no data block,
 * about a fifth of an O_EXCL create's cost on a busy ext4. Where hard links are refused (some
 * mounted filesystems), this process falls back to O_EXCL files. Either create fails on any
 * existing path, so the two kinds exclude each other, and both read back as the holder's body.
 */
let useLinks = true;

interface Token {
  file: string;
  dev: number;
  ino: number;
}
/** This process's token file per lock path, created on first use. */
const tokens = new Map<string, Token>();
/** The acquisition of this process that holds each lock, so a late release never drops a successor's. */
const holding = new Map<string, symbol>();

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly holderPid: number | undefined, waitedMs: number) {
    super(`could not lock ${lockPath} within ${waitedMs} ms${holderPid ? `: held by pid ${holderPid}` : ''}`);
    this.name = 'LockTimeoutError';
  }
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: FileLockOptions = {}): Promise<T> {
  // Uncontended, the lock is taken synchronously: no timer, no extra promise.
  if (!tryCreate(lockPath)) await waitFor(lockPath, options);
  const me = Symbol('lock');
  holding.set(lockPath, me);
  try {
    return await fn();
  } finally {
    release(lockPath, me);
  }
}

/** True when the lock was created and is ours; false when something holds it. */
function tryCreate(lockPath: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      if (useLinks) fs.linkSync(tokenFor(lockPath).file, lockPath);
      else createFile(lockPath);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT' && attempt < 2) {
        tokens.delete(lockPath); // the state directory or our token file was removed: make them again
        fs.mkdirSync(path.dirname(lockPath), { recursive: true });
        continue;
      }
      if (useLinks && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV' || code === 'EMLINK')) {
        useLinks = false;
        for (const t of tokens.values()) try { fs.unlinkSync(t.file); } catch { /* gone */ }
        tokens.clear(); // release() now recognises our locks by their body
        continue;
      }
      throw error;
    }
  }
}

let exitHook = false;

function tokenFor(lockPath: string): Token {
  const known = tokens.get(lockPath);
  if (known) return known;
  sweepDeadTokens(lockPath);
  const file = `${lockPath}.${process.pid}-${OWN_TAG}`;
  fs.writeFileSync(file, OWN_BODY, { mode: 0o600 });
  const st = fs.statSync(file);
  const token = { file, dev: st.dev, ino: st.ino };
  tokens.set(lockPath, token);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => { for (const t of tokens.values()) try { fs.unlinkSync(t.file); } catch { /* gone */ } });
  }
  return token;
}

/** Token files of processes killed before their exit handler ran; removed once per lock path. */
function sweepDeadTokens(lockPath: string): void {
  const dir = path.dirname(lockPath);
  const prefix = `${path.basename(lockPath)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length)) : null;
    if (!m) continue;
    const file = path.join(dir, name);
    try {
      const body = parseBody(fs.readFileSync(file, 'utf8'));
      if (body && body.pid !== process.pid && !isProcessAlive(body.pid, body.startTime)) fs.unlinkSync(file);
    } catch { /* gone already */ }
  }
}

function createFile(lockPath: string): void {
  const fd = fs.openSync(lockPath, 'wx');
  try {
    fs.writeSync(fd, OWN_BODY);
  } finally {
    fs.closeSync(fd);
  }
}

async function waitFor(lockPath: string, options: FileLockOptions): Promise<void> {
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
      const old = clock() - seen.ctimeMs > staleMs;
      if (dead || old) {
        breakStale(lockPath, seen, staleMs, clock);
        if (tryCreate(lockPath)) return;
      }
    }
    if (Date.now() - began > timeoutMs) throw new LockTimeoutError(lockPath, seen?.body?.pid, Date.now() - began);
    // Not unref()ed on purpose: the caller is awaiting this lock, the process must stay up for it.
    await new Promise((resolve) => setTimeout(resolve, waitMs + Math.random() * waitMs));
    waitMs = Math.min(waitMs * 2, 16);
    if (tryCreate(lockPath)) return;
  }
}

/** `pid:startTime:tag`, or the JSON `{ pid, startTime?, nonce }` that file locks used to hold. */
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

interface Seen {
  raw: string;
  body: LockBody | null;
  /** When the lock was taken: link() and create both set the inode's ctime. */
  ctimeMs: number;
  ino: number;
}

function inspect(lockPath: string): Seen | null {
  try {
    const st = fs.statSync(lockPath);
    const raw = fs.readFileSync(lockPath, 'utf8');
    // An unparsable body is a file lock whose writer is between open and write (or died there): judged by age alone.
    return { raw, body: parseBody(raw), ctimeMs: st.ctimeMs, ino: st.ino };
  } catch {
    return null; // released between our create and our look
  }
}

function breakStale(lockPath: string, stale: Seen, staleMs: number, clock: () => number): void {
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
    const now = inspect(lockPath);
    if (now && now.raw === stale.raw && now.ino === stale.ino && now.ctimeMs === stale.ctimeMs) fs.unlinkSync(lockPath);
  } catch { /* gone already */ } finally {
    try { fs.unlinkSync(breaker); } catch { /* gone already */ }
  }
}

function release(lockPath: string, me: symbol): void {
  if (holding.get(lockPath) !== me) return;
  holding.delete(lockPath);
  // If ours was broken as stale (we hung), the path now belongs to someone else: leave it.
  try {
    const token = tokens.get(lockPath);
    let ours: boolean;
    if (token) {
      const st = fs.statSync(lockPath);
      ours = st.ino === token.ino && st.dev === token.dev;
    } else {
      ours = fs.readFileSync(lockPath, 'utf8') === OWN_BODY; // a file lock (no hard links here)
    }
    if (ours) fs.unlinkSync(lockPath);
  } catch { /* already gone */ }
}
