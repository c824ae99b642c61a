// The lease registry shared by every Manito host of this user: one JSON file (protocol
// leasesFile()) read and rewritten only under its lock, so a check and the claim that follows it
// are one step for every host. Leases of dead hosts are dropped on every read. The text on disk
// (seal, spare file, torn-file recovery) is sealedFile.ts.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { withFileLock, type FileLockOptions } from './fileLock';
import { SealedFile } from './sealedFile';
import { settleOrphans } from './plan/handover';
import type { Lease } from './plan/lease';
import { validMemory, type Remembered } from './plan/memory';
import { isPort } from './plan/portNumbers';
import { isProcessAlive, processStartTime } from './processAlive';

export type { Lease } from './plan/lease';

interface LeaseFile {
  version: 1;
  leases: Lease[];
  /** Leases of hosts that died or handed over: kept for their workspace's next host, blocking no one. */
  orphans?: Lease[];
  /** Each workspace's last port per service, so it gets the same ones when it is opened again (plan/memory.ts). */
  remembered?: Remembered[];
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
  private readonly disk: SealedFile;
  private readonly isAlive: (pid: number, startTime?: number) => boolean;

  constructor(private readonly options: LeaseRegistryOptions) {
    if (typeof options?.file !== 'string' || options.file === '') throw new TypeError('LeaseRegistry: `file` must be a non-empty path');
    this.file = path.resolve(options.file);
    this.lockPath = `${this.file}.lock`;
    this.disk = new SealedFile(this.file);
    // Every lease is a host of this user: another user's pid is not one (ours).
    this.isAlive = options.isAlive ?? ((pid, startTime) => isProcessAlive(pid, startTime, { ours: true }));
  }

  /**
   * Runs `fn` under the lock with the live leases, the orphans and the remembered ports; whatever
   * `fn` leaves in the arrays is written back when it differs from what was read.
   */
  async transact<T>(fn: (leases: Lease[], orphans: Lease[], remembered: Remembered[]) => Promise<T> | T): Promise<T> {
    // The lock creates the state directory on first use.
    return withFileLock(this.lockPath, async () => {
      const { leases, orphans, remembered, raw } = this.readLive(this.disk.readLocked());
      const result = await fn(leases, orphans, remembered);
      const next = JSON.stringify({
        version: 1, leases, ...(orphans.length ? { orphans } : {}), ...(remembered.length ? { remembered } : {}),
      } satisfies LeaseFile);
      if (next !== raw) this.disk.write(next); // nothing changed, nothing written
      return result;
    }, this.options.lock);
  }

  /** The live leases now, without the lock: for display, never for deciding a claim. */
  read(): Lease[] {
    return this.readLive(this.disk.read()).leases;
  }

  /** The remembered ports now, without the lock: for display and tests. */
  remembered(): Remembered[] {
    return this.readLive(this.disk.read()).remembered;
  }

  /**
   * A window reload starts the new host before the old one has finished shutting down; the old
   * one's leases come free (handed over) when it does. Waits for that, briefly, rather than have
   * the caller allocate around them. Another host of the same workspace that stays (a headless
   * `manito host`) costs one bounded wait, after which its leases are respected as before.
   */
  async awaitPredecessor(workspace: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const held = () => {
      try {
        return this.read().some((l) => l.workspace === workspace && l.pid !== process.pid);
      } catch {
        return false;
      }
    };
    while (held() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Drops every lease of one engine instance; with `handOver`, keeps them as orphans for its workspace's next host. */
  async releaseOwner(owner: string, options: { handOver?: boolean } = {}): Promise<void> {
    await this.transact((leases, orphans) => {
      const mine = leases.filter((l) => l.owner === owner);
      leases.splice(0, leases.length, ...leases.filter((l) => l.owner !== owner));
      if (options.handOver) orphans.push(...mine);
    });
  }

  private readLive(raw: string): { leases: Lease[]; orphans: Lease[]; remembered: Remembered[]; raw: string } {
    const { leases: all, orphans: kept, remembered } = parse(raw);
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
    return { leases, orphans, remembered, raw: leases.length === all.length ? raw : '' };
  }
}

function parse(raw: string): { leases: Lease[]; orphans: Lease[]; remembered: Remembered[] } {
  if (!raw.trim()) return { leases: [], orphans: [], remembered: [] };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { leases: [], orphans: [], remembered: [] }; // a hand-edited or foreign file: start over rather than block every host
  }
  const file = data as Partial<LeaseFile> | null;
  return { leases: valid(file?.leases), orphans: valid(file?.orphans), remembered: validMemory(file?.remembered) };
}

function valid(list: unknown): Lease[] {
  if (!Array.isArray(list)) return [];
  return list.filter((l): l is Lease =>
    !!l && isPort(l.port) && typeof l.service === 'string' && typeof l.workspace === 'string' &&
    Number.isInteger(l.pid) && typeof l.owner === 'string');
}
