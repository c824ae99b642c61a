// Reads the kernel's TCP socket tables (/proc/net/tcp and tcp6): one read answers for every port
// at once, where bind attempts cost four syscall round trips per port.
import * as fs from 'node:fs';

export interface TcpSocket {
  port: number;
  inode: number;
}

// A listener is state 0A. A socket bound but not yet listening (state 07, no remote end) also
// makes a bind on the same port fail, so it counts as taken too.
const LISTEN = '0A';
const CLOSE = '07';
const NO_REMOTE = /^0+:0000$/;

/**
 * Every TCP socket that holds a port for incoming connections, on any address, IPv4 and IPv6.
 * Null when the tables cannot be read (not Linux, or /proc hidden): callers fall back to binds.
 */
export function readTcpListeners(procRoot = '/proc'): TcpSocket[] | null {
  const out: TcpSocket[] = [];
  let readAny = false;
  for (const table of ['net/tcp', 'net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(`${procRoot}/${table}`, 'latin1');
    } catch {
      continue; // tcp6 is absent when IPv6 is disabled; that is not an error
    }
    readAny = true;
    parseTable(text, out);
  }
  return readAny ? out : null;
}

/** Parses one table; exported for tests that feed it captured text. */
export function parseTable(text: string, out: TcpSocket[] = []): TcpSocket[] {
  let start = text.indexOf('\n') + 1; // skip the header line
  while (start > 0 && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const fields = text.slice(start, end).trim().split(/\s+/);
    start = end + 1;
    // sl local rem st queues timer retrnsmt uid timeout inode ...
    if (fields.length < 10) continue;
    const state = fields[3];
    if (state !== LISTEN && !(state === CLOSE && NO_REMOTE.test(fields[2]))) continue;
    const colon = fields[1].lastIndexOf(':');
    const port = parseInt(fields[1].slice(colon + 1), 16);
    const inode = Number(fields[9]);
    if (port > 0) out.push({ port, inode });
  }
  return out;
}
