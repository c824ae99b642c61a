// The kernel's table of listening TCP sockets, read through native/listeners.c (Linux sock_diag).
// One look answers for every port in tens of microseconds and touches no port. The alternatives
// cost more: /proc/net/tcp carries the same facts but reading it walks the kernel's whole
// established-socket hash (3 ms or more per file on a large one), and binding each port costs a
// socket per port while briefly holding the very port it checks. Where the reader is not built
// for this platform, is turned off (MANITO_NATIVE=0) or fails, listenerTable() is null and callers
// bind or read /proc, as they do on every other OS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PortChecks } from '../../protocol/model';
import { listeningSockets } from './tcpTable';

export interface NativeListeners {
  /** Fills an 8192-byte bitset, one bit per port; the number of listeners, or -errno. */
  scan(bits: Uint8Array): number;
  /** Inodes of the sockets listening on `port`, or -errno. */
  inodes(port: number): number[] | number;
}

/** The ports something listened on at one moment. */
export class ListeningPorts {
  constructor(private readonly bits: Uint8Array) {}

  has(port: number): boolean {
    return ((this.bits[port >> 3]! >> (port & 7)) & 1) === 1;
  }

  ports(): number[] {
    const out: number[] = [];
    for (let byte = 0; byte < this.bits.length; byte++) {
      const b = this.bits[byte]!;
      if (b) for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) out.push(byte * 8 + bit);
    }
    return out;
  }
}

export interface ListenerTable {
  /** A fresh look at every listening port; null when the kernel refused this once (callers bind instead). */
  listening(): ListeningPorts | null;
  /** Inodes of the sockets listening on `port` (empty: none); null when the kernel refused. */
  inodes(port: number): number[] | null;
}

/** The file native/build.mjs writes; keep in step with its nativeFileName(). */
export const NATIVE_FILE = `listeners-${process.platform}-${process.arch}.node`;

/**
 * Where the built reader is for the layout this code runs from: beside a bundle in dist/
 * (dist/native), beside a bench bundle in out/ (../dist/native), or from the sources
 * (server/proc -> ../../dist/native). Never a folder outside the extension or the repository.
 */
function location(): string {
  const here = path.basename(__dirname);
  const dir = here === 'dist' ? path.join(__dirname, 'native')
    : here === 'out' ? path.join(__dirname, '..', 'dist', 'native')
    : path.join(__dirname, '..', '..', 'dist', 'native');
  return path.join(dir, NATIVE_FILE);
}

const errnoName = (code: number): string =>
  Object.entries(os.constants.errno).find(([, n]) => n === -code)?.[0] ?? `errno ${-code}`;

/**
 * Refusals that say nothing about the next call (out of memory or descriptors for a moment, a
 * signal, an interrupted dump): this look falls back to binds, the next one asks again. Anything
 * else (no sock_diag here, netlink forbidden, more listeners than one reply holds) turns the
 * table off for the rest of the process.
 */
const PASSING = new Set(['EAGAIN', 'EINTR', 'ENOBUFS', 'ENOMEM', 'EMFILE', 'ENFILE'].map((n) => -(os.constants.errno as Record<string, number>)[n]!));
const EOVERFLOW = -os.constants.errno.EOVERFLOW;
const ATTEMPTS = 2;

/** Exported for tests of its failure paths. */
export class NativeTable implements ListenerTable {
  private failed = false;

  constructor(private readonly native: NativeListeners, private readonly onFailure: (reason: string) => void) {}

  listening(): ListeningPorts | null {
    return this.ask('scan', () => {
      const bits = new Uint8Array(8192);
      const n = this.native.scan(bits);
      return n >= 0 ? new ListeningPorts(bits) : n;
    });
  }

  inodes(port: number): number[] | null {
    return this.ask('inodes', () => this.native.inodes(port));
  }

  /** One question to the reader: its answer, or null (after turning the table off unless the refusal passes). */
  private ask<T>(what: string, call: () => T | number): T | null {
    for (let attempt = 0; attempt < ATTEMPTS && !this.failed; attempt++) {
      let r: T | number;
      try {
        r = call();
      } catch (error) {
        // A reader that throws (a stale or foreign build) is never asked again.
        return this.fail(`the reader's ${what}() threw: ${(error as Error).message}`);
      }
      if (typeof r !== 'number') return r;
      if (!PASSING.has(r)) {
        return this.fail(r === EOVERFLOW ? 'more listeners than one sock_diag reply holds, which may skip one' : `sock_diag refused: ${errnoName(r)}`);
      }
    }
    return null;
  }

  private fail(reason: string): null {
    this.failed = true;
    this.onFailure(reason);
    return null;
  }
}

let loaded: { table: ListenerTable | null; how: string } | undefined;

function load(): { table: ListenerTable | null; how: string } {
  const off = process.env.MANITO_NATIVE;
  if (off === '0' || off === 'off' || off === 'false') return { table: null, how: 'binds only (MANITO_NATIVE is off)' };
  if (process.platform !== 'linux') return { table: null, how: `binds only (no listener table on ${process.platform})` };
  const file = location();
  if (!fs.existsSync(file)) return { table: null, how: `binds only (${NATIVE_FILE} is not built)` };
  let native: NativeListeners;
  try {
    native = require(file) as NativeListeners;
  } catch (error) {
    return { table: null, how: `binds only (${NATIVE_FILE} did not load: ${(error as Error).message.split('\n')[0]})` };
  }
  if (typeof native?.scan !== 'function' || typeof native.inodes !== 'function') {
    return { table: null, how: `binds only (${NATIVE_FILE} is not the listener-table reader)` };
  }
  const state = { table: null as ListenerTable | null, how: `binds, and the kernel's listener table for many ports at once (sock_diag, ${path.basename(file)})` };
  const table = new NativeTable(native, (reason) => {
    // Off for the rest of the process: a reader that failed once is not trusted with the next answer.
    state.table = null;
    state.how = `binds only (${reason})`;
  });
  // One look now, so a kernel without sock_diag (or a sandbox that forbids netlink) is found here.
  state.table = table;
  table.listening();
  return state;
}

/** The listener table, or null where ports are checked by binding. */
export function listenerTable(): ListenerTable | null {
  loaded ??= load();
  return loaded.table;
}

/** How this process checks ports, for the host's log: with the table, or binds only and why. */
export function portCheckMethod(): string {
  loaded ??= load();
  return loaded.how;
}

/** The same, for HostInfo: what the dashboard and `manito status --json` show. */
export function portChecks(): PortChecks {
  const table = listenerTable();
  return { method: table ? 'listener-table' : 'binds', detail: portCheckMethod() };
}

/** The set of ports something listens on: from the table, else from /proc (empty where neither exists). */
export function listeningPorts(): Set<number> {
  const now = listenerTable()?.listening();
  return new Set(now ? now.ports() : listeningSockets().map((s) => s.port));
}
