// The lease registry shared by every Manito host of this user: one JSON file (protocol
// leasesFile()) read and rewritten only under its lock, so a check and the claim that follows it
// are one step for every host. Leases of dead hosts are dropped on every read.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PortHolder, Reason } from '../../protocol/model';
import { withFileLock, type FileLockOptions } from './fileLock';
import { settleOrphans } from './handover';
import { isPort } from './portNumbers';
import { isProcessAlive, processStartTime } from './processAlive';

export interface Lease {
  port: number;
  service: string;
  workspace: string;
  /** The host process that holds the lease. */
  pid: number;
  /** Kernel start time of `pid`, so a reused pid does not keep a dead host's leases alive. */
  startTime?: number;
  /** One engine instance: a process may run several engines (one per workspace). */
  owner: string;
  since: string;
  /** The assignment's reason and sentence, for the next host of the workspace to take over (handover.ts). */
  reason?: Reason;
  explanation?: string;
  /** Who held the port the explanation names ("3000 is held by pid 1234 (vite)"), for the same successor. */
  holder?: PortHolder;
}

interface LeaseFile {
  version: 1;
  leases: Lease[];
  /** Leases of hosts that died or handed over: kept for their workspace's next host, blocking no one. */
  orphans?: Lease[];
}

export interface LeaseRegistryOptions {
  /** The JSON file; its lock is `<file>.lock` beside it. */
  file: string;
  lock?: FileLockOptions;
  isAlive?: (pid: number, startTime?: number) => boolean;
}

export const OWN_START_TIME = processStartTime(process.pid);

/** One random draw per process; engines of the process are told apart by a counter. */
const OWNER_PREFIX = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
let ownerCounter = 0;

export function newOwnerId(): string {
  return `${OWNER_PREFIX}-${(ownerCounter++).toString(36)}`;
}

export class LeaseRegistry {
  readonly file: string;
  private readonly lockPath: string;
  private readonly isAlive: (pid: number, startTime?: number) => boolean;

  constructor(private readonly options: LeaseRegistryOptions) {
    if (typeof options?.file !== 'string' || options.file === '') throw new TypeError('LeaseRegistry: `file` must be a non-empty path');
    this.file = path.resolve(options.file);
    this.lockPath = `${this.file}.lock`;
    this.isAlive = options.isAlive ?? isProcessAlive;
  }

  /**
   * Runs `fn` under the lock with the live leases; whatever `fn` leaves in the array is written
   * back (in place, see write) when it differs from what was read.
   */
  async transact<T>(fn: (leases: Lease[], orphans: Lease[]) => Promise<T> | T): Promise<T> {
    // The lock creates the state directory on first use.
    return withFileLock(this.lockPath, async () => {
      const handle = heldFile(this.file);
      const { leases, orphans, raw } = this.readLive(handle ? readAll(handle) : '');
      const result = await fn(leases, orphans);
      const next = JSON.stringify({ version: 1, leases, ...(orphans.length ? { orphans } : {}) } satisfies LeaseFile);
      if (next !== raw) this.write(next, handle);
      return result;
    }, this.options.lock);
  }

  /** The live leases now, without the lock: for display, never for deciding a claim. */
  read(): Lease[] {
    let raw = '';
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return this.readLive(raw).leases;
  }

  /** Drops every lease of one engine instance; with `handOver`, keeps them as orphans for its workspace's next host. */
  async releaseOwner(owner: string, options: { handOver?: boolean } = {}): Promise<void> {
    await this.transact((leases, orphans) => {
      const mine = leases.filter((l) => l.owner === owner);
      leases.splice(0, leases.length, ...leases.filter((l) => l.owner !== owner));
      if (options.handOver) orphans.push(...mine);
    });
  }

  private readLive(text: string): { leases: Lease[]; orphans: Lease[]; raw: string } {
    const raw = text.trimEnd(); // the tail is padding (see write)
    const { leases: all, orphans: kept } = parse(raw);
    const alive = new Map<string, boolean>();
    const leases = all.filter((lease) => {
      const key = `${lease.pid}/${lease.startTime ?? ''}`;
      let ok = alive.get(key);
      if (ok === undefined) {
        ok = lease.pid === process.pid || this.isAlive(lease.pid, lease.startTime);
        alive.set(key, ok);
      }
      return ok;
    });
    // A dead host's leases stop blocking anyone but stay, as orphans, for its workspace's next host.
    const dead = leases.length === all.length ? [] : all.filter((l) => !leases.includes(l));
    const orphans = kept.length || dead.length ? settleOrphans([...kept, ...dead], leases) : [];
    // Report the dropped ones as a change so the file is rewritten without them.
    return { leases, orphans, raw: leases.length === all.length ? raw : '' };
  }

  /**
   * Rewrites the file in place with one write at offset 0, padded with spaces to its old length,
   * then cuts a shorter text to size. No rename: on ext4 a rename over a file forces its blocks to
   * disk (2 ms here). No truncate before the write: a host killed at any point leaves the old
   * text, the new text padded (which reads the same), or the new text.
   */
  private write(text: string, handle: HeldFile | null): void {
    const { fd, size } = handle ?? createHeldFile(this.file);
    const bytes = Buffer.byteLength(text);
    // A string goes to write() without an intermediate Buffer; the padding is counted in bytes
    // (a workspace path may hold multi-byte characters).
    fs.writeSync(fd, bytes < size ? text + ' '.repeat(size - bytes) : text, 0, 'utf8');
    // Cut, so that every later reader reads only what is there, not the padding of busier times.
    if (bytes < size) fs.ftruncateSync(fd, bytes);
  }
}

interface HeldFile {
  fd: number;
  size: number;
}

/**
 * The lease file stays open between transactions (a host uses one registry file), so a
 * transaction costs a stat, a pread and a pwrite instead of two open/fstat/close rounds. It is
 * only touched under the lock. The stat of the path catches a file deleted or replaced behind our
 * back: an inode we hold open cannot be freed, so the same inode number means the same file.
 */
let held: { file: string; fd: number; dev: number; ino: number } | undefined;

function forget(): void {
  if (!held) return;
  try { fs.closeSync(held.fd); } catch { /* already closed */ }
  held = undefined;
}

/** The open lease file and its size now; null when there is no file yet. */
function heldFile(file: string): HeldFile | null {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (held && (held.file !== file || !st || held.dev !== st.dev || held.ino !== st.ino)) forget();
  if (!st) return null;
  if (held) return { fd: held.fd, size: st.size };
  try {
    return keep(file, fs.openSync(file, fs.constants.O_RDWR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // deleted since the stat
    throw error;
  }
}

function createHeldFile(file: string): HeldFile {
  forget();
  return keep(file, fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
}

function keep(file: string, fd: number): HeldFile {
  const st = fs.fstatSync(fd); // of what was opened, in case the path changed since the stat
  held = { file, fd, dev: st.dev, ino: st.ino };
  return { fd, size: st.size };
}

function readAll({ fd, size }: HeldFile): string {
  const buf = Buffer.allocUnsafe(size);
  let n = 0;
  while (n < size) {
    const got = fs.readSync(fd, buf, n, size - n, n);
    if (got === 0) break;
    n += got;
  }
  return buf.toString('utf8', 0, n);
}

function parse(raw: string): { leases: Lease[]; orphans: Lease[] } {
  if (!raw.trim()) return { leases: [], orphans: [] };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { leases: [], orphans: [] }; // a hand-edited or foreign file: start over rather than block every host
  }
  const file = data as Partial<LeaseFile> | null;
  return { leases: valid(file?.leases), orphans: valid(file?.orphans) };
}

function valid(list: unknown): Lease[] {
  if (!Array.isArray(list)) return [];
  return list.filter((l): l is Lease =>
    !!l && isPort(l.port) && typeof l.service === 'string' && typeof l.workspace === 'string' &&
    Number.isInteger(l.pid) && typeof l.owner === 'string');
}
