// Maps a socket's inode to the process that holds it, through /proc/<pid>/fd, and names the
// holder of a port. Walking every process is the slow part, so one walk resolves every inode asked
// for and the answers are cached; a cached answer is re-checked with one readlink before it is
// trusted. A caller that expects a holder (the process it just started) names it first: its fds
// are read before anyone else's, and the walk stops there when it holds the socket. Other users'
// fds are unreadable: their sockets come back without an owner.
import * as fs from 'node:fs';
import type { PortHolder } from '../../protocol/model';
import { readTcpTables, type TcpSocket } from './tcpTable';

export interface SocketOwner {
  pid: number;
  /** The command line (or, for a kernel thread, its name); absent when it cannot be read. */
  command?: string;
}

interface CachedOwner extends SocketOwner {
  /** The fd that held the socket; readlink on it confirms the answer is still true. */
  fdPath: string;
}

const MAX_COMMAND = 160;

export class SocketOwnerCache {
  private readonly cache = new Map<number, CachedOwner>();
  /** Each port's socket inodes in the last table read: a socket keeps its port until it closes. */
  private readonly portInodes = new Map<number, number[]>();

  constructor(private readonly procRoot = '/proc') {}

  /** The cached owner of one inode if a readlink confirms it still holds the socket; never walks /proc. */
  confirm(inode: number): SocketOwner | undefined {
    const hit = this.cache.get(inode);
    if (hit && readLink(hit.fdPath) === `socket:[${inode}]`) return ownerOf(hit);
    this.cache.delete(inode);
    return undefined;
  }

  /**
   * Owners of the given socket inodes; an inode is missing when no readable process holds it.
   * `likely`: pids to look in first (a guess that only orders the walk; it decides nothing).
   */
  lookup(inodes: readonly number[], likely: readonly number[] = []): Map<number, SocketOwner> {
    const found = new Map<number, SocketOwner>();
    const wanted = new Set<number>();
    for (const inode of inodes) {
      const hit = this.confirm(inode);
      if (hit) found.set(inode, hit);
      else wanted.add(inode);
    }
    if (wanted.size > 0) this.walk(wanted, found, likely);
    return found;
  }

  /**
   * Who holds `port`, as far as the OS tells: null when no socket holds it, `{}` when one does but
   * its process is hidden from us ("unknown process"). `sockets`: a table read already, if any;
   * `likely`: pids that probably hold it, looked in first.
   */
  holderOf(port: number, sockets?: readonly TcpSocket[] | null, likely: readonly number[] = []): PortHolder | null {
    if (sockets === undefined) {
      // Reading the tables walks the kernel's whole TCP hash (milliseconds on a large machine),
      // so a port asked about again is first answered by its last socket still held (one readlink).
      for (const inode of this.portInodes.get(port) ?? []) {
        const owner = this.confirm(inode);
        if (owner) return owner;
      }
    }
    const inodes = sockets === undefined ? this.inodesOn(port) : inodesIn(sockets, port);
    if (sockets === undefined) {
      if (inodes.length) this.portInodes.set(port, inodes);
      else this.portInodes.delete(port);
    }
    return inodes.length === 0 ? null : this.firstOwner(inodes, likely)?.owner ?? {};
  }

  /** The first of these sockets whose process we can read, with that process; undefined when none. */
  firstOwner(inodes: readonly number[], likely: readonly number[] = []): { inode: number; owner: SocketOwner } | undefined {
    const found = this.lookup(inodes, likely);
    for (const inode of inodes) {
      const owner = found.get(inode);
      if (owner) return { inode, owner };
    }
    return undefined;
  }

  /** Sockets on `port`, listening or bound, from /proc/net/tcp{,6}. */
  private inodesOn(port: number): number[] {
    return inodesIn(readTcpTables(this.procRoot), port);
  }

  private walk(wanted: Set<number>, found: Map<number, SocketOwner>, likely: readonly number[]): void {
    const first = likely.map(String);
    for (const pid of first) if (this.search(pid, wanted, found)) return;
    let pids: string[];
    try {
      pids = fs.readdirSync(this.procRoot).filter((n) => /^\d+$/.test(n) && !first.includes(n));
    } catch {
      return;
    }
    for (const pid of pids) if (this.search(pid, wanted, found)) return;
  }

  /** Looks through one process's fds for the wanted sockets; true once none is left to find. */
  private search(pid: string, wanted: Set<number>, found: Map<number, SocketOwner>): boolean {
    const fdDir = `${this.procRoot}/${pid}/fd`;
    let fds: string[];
    try {
      fds = fs.readdirSync(fdDir);
    } catch {
      return false; // another user's process, or it just exited: "unknown process" for its sockets
    }
    for (const fd of fds) {
      const fdPath = `${fdDir}/${fd}`;
      const link = readLink(fdPath);
      if (!link || !link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (!wanted.has(inode)) continue;
      const command = commandLine(this.procRoot, pid);
      const owner: SocketOwner = command ? { pid: Number(pid), command } : { pid: Number(pid) };
      this.cache.set(inode, { ...owner, fdPath });
      found.set(inode, owner);
      wanted.delete(inode);
      if (wanted.size === 0) return true;
    }
    return false;
  }
}

let shared: SocketOwnerCache | undefined;
/** The process's cache for the real /proc: the engine's probe and service detection share its answers. */
export function sharedSocketOwners(): SocketOwnerCache {
  shared ??= new SocketOwnerCache('/proc');
  return shared;
}

/** The inodes of the sockets on `port` in a table read from /proc. */
export function inodesIn(sockets: readonly TcpSocket[] | null, port: number): number[] {
  return (sockets ?? []).filter((s) => s.port === port && s.inode > 0).map((s) => s.inode);
}

function ownerOf(c: CachedOwner): SocketOwner {
  return c.command ? { pid: c.pid, command: c.command } : { pid: c.pid };
}

function readLink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}

function commandLine(procRoot: string, pid: string): string {
  try {
    const raw = fs.readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8');
    const text = raw.split('\0').filter(Boolean).join(' ');
    if (text) return text.length > MAX_COMMAND ? `${text.slice(0, MAX_COMMAND - 1)}…` : text;
    return fs.readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim(); // kernel threads have no cmdline
  } catch {
    return ''; // it exited, or it is not ours to read
  }
}
