// Maps a listening socket's inode to the process that holds it, through /proc/<pid>/fd. Walking
// every process is the slow part, so one walk resolves every inode asked for and the answers are
// cached; a cached answer is re-checked with one readlink before it is trusted.
import * as fs from 'node:fs';

export interface SocketOwner {
  pid: number;
  command: string;
}

interface CachedOwner extends SocketOwner {
  fdPath: string;
}

const MAX_COMMAND = 160;

export class SocketOwnerCache {
  private readonly cache = new Map<number, CachedOwner>();

  constructor(private readonly procRoot = '/proc') {}

  /** Owners of the given socket inodes; an inode is missing when no readable process holds it. */
  lookup(inodes: readonly number[]): Map<number, SocketOwner> {
    const found = new Map<number, SocketOwner>();
    const wanted = new Set<number>();
    for (const inode of inodes) {
      const hit = this.cache.get(inode);
      if (hit && readLink(hit.fdPath) === `socket:[${inode}]`) found.set(inode, { pid: hit.pid, command: hit.command });
      else {
        this.cache.delete(inode);
        wanted.add(inode);
      }
    }
    if (wanted.size > 0) this.walk(wanted, found);
    return found;
  }

  private walk(wanted: Set<number>, found: Map<number, SocketOwner>): void {
    let pids: string[];
    try {
      pids = fs.readdirSync(this.procRoot).filter((n) => /^\d+$/.test(n));
    } catch {
      return;
    }
    for (const pid of pids) {
      const fdDir = `${this.procRoot}/${pid}/fd`;
      let fds: string[];
      try {
        fds = fs.readdirSync(fdDir);
      } catch {
        continue; // another user's process, or it just exited: "unknown process" for its sockets
      }
      for (const fd of fds) {
        const fdPath = `${fdDir}/${fd}`;
        const link = readLink(fdPath);
        if (!link || !link.startsWith('socket:[')) continue;
        const inode = Number(link.slice(8, -1));
        if (!wanted.has(inode)) continue;
        const owner = { pid: Number(pid), command: commandLine(this.procRoot, pid) };
        this.cache.set(inode, { ...owner, fdPath });
        found.set(inode, owner);
        wanted.delete(inode);
        if (wanted.size === 0) return;
      }
    }
  }
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
    return '';
  }
}
