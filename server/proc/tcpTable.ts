// The kernel's TCP socket tables, /proc/net/tcp and /proc/net/tcp6: which sockets hold a port for
// incoming connections, on which address, under which socket inode. One read answers for every
// port at once; off Linux (or with /proc hidden) there is nothing to read and callers use binds.
import * as fs from 'node:fs';

export interface TcpSocket {
  port: number;
  address: string;
  family: 4 | 6;
  inode: number;
  /**
   * `listen`: accepting connections (state 0A). `bound`: bound but not listening yet (state 07
   * with no remote end); it takes the port from any other bind all the same.
   */
  state: 'listen' | 'bound';
}

const LISTEN = '0A';
const CLOSE = '07';
const NO_REMOTE = /^0+:0000$/;

/** /proc prints an IPv4 address as one little-endian 32-bit word. */
function ipv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

/** An IPv6 address is four little-endian 32-bit words. */
function ipv6(hex: string): string {
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

/** Parses the text of one table; keeps the sockets that hold a port (listening or bound), not connections. */
export function parseTcpTable(text: string, family: 4 | 6, out: TcpSocket[] = []): TcpSocket[] {
  let start = text.indexOf('\n') + 1; // skip the header line
  while (start > 0 && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const fields = text.slice(start, end).trim().split(/\s+/);
    start = end + 1;
    // sl local rem st queues timer retrnsmt uid timeout inode ...
    if (fields.length < 10) continue;
    const st = fields[3];
    const state = st === LISTEN ? 'listen' : st === CLOSE && NO_REMOTE.test(fields[2]) ? 'bound' : null;
    if (!state) continue;
    const colon = fields[1].lastIndexOf(':');
    const port = parseInt(fields[1].slice(colon + 1), 16);
    if (!(port > 0)) continue;
    const hex = fields[1].slice(0, colon);
    out.push({ port, address: family === 4 ? ipv4(hex) : ipv6(hex), family, inode: Number(fields[9]), state });
  }
  return out;
}

/**
 * Every socket holding a TCP port on this machine (this network namespace), IPv4 and IPv6.
 * Null when neither table can be read (not Linux, or /proc hidden).
 */
export function readTcpTables(procRoot = '/proc'): TcpSocket[] | null {
  const out: TcpSocket[] = [];
  let readAny = false;
  for (const [table, family] of [['net/tcp', 4], ['net/tcp6', 6]] as const) {
    let text: string;
    try {
      text = fs.readFileSync(`${procRoot}/${table}`, 'latin1');
    } catch {
      continue; // tcp6 is absent when IPv6 is disabled; that is not an error
    }
    readAny = true;
    parseTcpTable(text, family, out);
  }
  return readAny ? out : null;
}

/** The listening sockets only; empty where /proc is absent. */
export function listeningSockets(procRoot = '/proc'): TcpSocket[] {
  return (readTcpTables(procRoot) ?? []).filter((s) => s.state === 'listen');
}

/** The ports something listens on, IPv4 or IPv6; empty where /proc is absent. */
export function listeningPorts(procRoot = '/proc'): Set<number> {
  return new Set(listeningSockets(procRoot).map((s) => s.port));
}
