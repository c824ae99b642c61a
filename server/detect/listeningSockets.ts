// Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6 (state 0A), and which process owns
// them where /proc lets us see (other users' fds are unreadable: those come back without a pid).
import * as fs from 'node:fs';
import type { PortHolder } from '../../protocol/model';

export interface ListeningSocket {
  port: number;
  address: string;
  family: 4 | 6;
  inode: number;
}

const LISTEN = '0A';

function ipv4(hex: string): string {
  // /proc prints the address as one little-endian 32-bit word.
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words.
  const bytes: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(word.slice(b * 2, b * 2 + 2));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(parseInt(bytes[i] + bytes[i + 1], 16).toString(16));
  const full = groups.join(':');
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  return full;
}

/** Parses the text of /proc/net/tcp or tcp6; keeps listening sockets only. */
export function parseProcNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10 || f[3] !== LISTEN) continue;
    const colon = f[1].lastIndexOf(':');
    const port = parseInt(f[1].slice(colon + 1), 16);
    const addr = f[1].slice(0, colon);
    out.push({ port, address: family === 4 ? ipv4(addr) : ipv6(addr), family, inode: Number(f[9]) });
  }
  return out;
}

export interface ScanOptions {
  /** Defaults to /proc; tests point it at fixtures. */
  procRoot?: string;
}

/** Every listening TCP socket on this machine (this network namespace). Empty where /proc is absent. */
export function listListeningSockets(options: ScanOptions = {}): ListeningSocket[] {
  const root = options.procRoot ?? '/proc';
  const out: ListeningSocket[] = [];
  for (const [file, family] of [['net/tcp', 4], ['net/tcp6', 6]] as const) {
    try {
      out.push(...parseProcNetTcp(fs.readFileSync(`${root}/${file}`, 'latin1'), family));
    } catch {
      // No IPv6, or not Linux.
    }
  }
  return out;
}

/** The set of ports something listens on. */
export function listeningPorts(options: ScanOptions = {}): Set<number> {
  return new Set(listListeningSockets(options).map((s) => s.port));
}

function readCmdline(root: string, pid: string): string | undefined {
  try {
    const raw = fs.readFileSync(`${root}/${pid}/cmdline`, 'utf8');
    const text = raw.split('\0').filter(Boolean).join(' ');
    return text || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps socket inodes to the process that holds them by walking /proc/<pid>/fd. Costs one readlink
 * per open fd, so it runs only for the inodes asked about, and stops once all are found.
 */
export function ownersOfInodes(inodes: Iterable<number>, options: ScanOptions = {}): Map<number, PortHolder> {
  const root = options.procRoot ?? '/proc';
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  const found = new Map<number, PortHolder>();
  if (wanted.size === 0) return found;
  let pids: string[];
  try {
    pids = fs.readdirSync(root).filter((n) => /^\d+$/.test(n));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`${root}/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fs.readlinkSync(`${root}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!wanted.has(link)) continue;
      const inode = Number(link.slice(8, -1));
      if (!found.has(inode)) found.set(inode, { pid: Number(pid), command: readCmdline(root, pid) });
      wanted.delete(link);
      if (wanted.size === 0) return found;
    }
  }
  return found;
}

/** Who listens on `port`, as far as /proc tells; null when nothing listens. `{}` when the owner is hidden. */
export function holderOfPort(port: number, options: ScanOptions = {}): PortHolder | null {
  const sockets = listListeningSockets(options).filter((s) => s.port === port);
  if (sockets.length === 0) return null;
  const owners = ownersOfInodes(sockets.map((s) => s.inode), options);
  for (const s of sockets) {
    const owner = owners.get(s.inode);
    if (owner) return owner;
  }
  return {};
}
