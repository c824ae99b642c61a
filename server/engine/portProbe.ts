// Decides whether a port is free on this machine and who holds it. A few ports are checked by
// real binds (the kernel's own answer, about 10 µs each); a scan asked about more than a few
// looks once at the kernel's listener table instead (server/proc/listenerTable.ts, Linux): on a
// quiet machine one look costs about six binds, answers for every port, and occupies none, so
// checking fifty ports neither costs fifty sockets nor briefly holds fifty ports that a starting
// service might want. A holder is named from that table, or from /proc/net/tcp where it is
// missing: reading /proc walks the kernel's whole socket table, so it is never read to decide.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { PortProbe, PortScan } from './engineApi';
import { assertPort } from './portNumbers';
import { readTcpTables } from '../proc/tcpTable';
import { listenerTable, type ListenerTable, type ListeningPorts } from '../proc/listenerTable';
import { inodesIn, sharedSocketOwners, SocketOwnerCache } from '../proc/socketOwners';

/** Every address a dev server commonly binds; a listener on any one of them takes the port. */
export const PROBE_HOSTS: readonly string[] = ['127.0.0.1', '0.0.0.0', '::1', '::'];

/** A scan binds this many ports at most; past that, one look at the listener table is cheaper. */
export const SCAN_BINDS = 6;

export interface PortProbeOptions {
  /** Root of the proc filesystem used to name holders; `null` when the OS does not tell. */
  procRoot?: string | null;
  /**
   * On Linux a bind on the dual-stack wildcard (`::`, IPv4 mapped) fails when anything listens on
   * the port on any address of either family, so that one bind answers for all four addresses.
   * Elsewhere a specific-address listener can hide behind a wildcard bind (BSD), so each address
   * is tried in turn. Default: true on Linux.
   */
  wildcardOnly?: boolean;
  /**
   * The kernel's listener table, for scans of many ports; null: always bind. Default:
   * listenerTable() with the real /proc, none with any other procRoot. The table sees every
   * listener, on any address of either family, which is what takes a port from a server. It does
   * not see a socket bound without listening, or an outgoing connection's local port, both of
   * which also refuse a bind; neither is a server, and dev ports sit below the ephemeral range.
   */
  listeners?: ListenerTable | null;
  /** How many ports a scan binds before it looks at the table instead. Default SCAN_BINDS. */
  scanBinds?: number;
}

export type FullPortProbe = PortProbe & { scan(): Promise<PortScan> };

export function createPortProbe(options: PortProbeOptions = {}): FullPortProbe {
  const procRoot = options.procRoot === undefined ? (process.platform === 'linux' ? '/proc' : null) : options.procRoot;
  const wildcardOnly = options.wildcardOnly ?? process.platform === 'linux';
  const table = options.listeners !== undefined ? options.listeners : procRoot === '/proc' ? listenerTable() : null;
  const scanBinds = options.scanBinds ?? SCAN_BINDS;
  /** Ports the table does not answer for: those an unprivileged bind is refused (EACCES), which no table shows. */
  const bindBelow = table ? unprivilegedPortStart(procRoot ?? '/proc') : 0;
  const owners = !procRoot ? null : procRoot === '/proc' ? sharedSocketOwners() : new SocketOwnerCache(procRoot);
  /** port -> the inode that held it last time; re-checked through SocketOwnerCache's readlink. */
  const lastInode = new Map<number, number>();
  const free = (port: number): boolean | Promise<boolean> => (wildcardOnly ? bindDualStackNow(port) : bindsEverywhere(port));
  /**
   * A socket that held this port and is still open still holds it (a bound socket never changes
   * port), so a confirmed cached holder proves the port taken with one readlink, no bind. Never
   * walks /proc: scan() runs under the registry lock.
   */
  const knownHolder = (port: number) => {
    const inode = owners ? lastInode.get(port) : undefined;
    if (inode === undefined) return undefined;
    const hit = owners!.confirm(inode);
    if (!hit) lastInode.delete(port);
    return hit;
  };
  /** The process of the first of these sockets we can read, remembered for knownHolder; `{}` when none. */
  const nameFrom = (port: number, inodes: readonly number[]) => {
    // No owner found: taken, but the OS does not say by whom ("unknown process").
    const hit = owners?.firstOwner(inodes);
    if (hit) lastInode.set(port, hit.inode);
    return hit?.owner ?? {};
  };

  return {
    async isFree(port) {
      assertPort(port);
      return free(port);
    },

    async holder(port) {
      assertPort(port);
      const known = knownHolder(port);
      if (known) return known;
      const listening = table?.inodes(port);
      if (listening?.length) return nameFrom(port, listening);
      if (await free(port)) return null;
      // Refused, yet nothing listens: a socket only bound, which neither the table nor /proc lists.
      if (listening) return {};
      return nameFrom(port, owners ? inodesIn(readTcpTables(procRoot!), port) : []);
    },

    async scan() {
      /** Bind answers: port -> busy; a promise while a bind is still settling. */
      const seen = new Map<number, boolean | Promise<boolean>>();
      /** The listener table as it was once this scan outgrew scanBinds; null until then (or without one). */
      let snapshot: ListeningPorts | null = null;
      const outgrow = (more: number) => {
        if (table && !snapshot && seen.size + more > scanBinds) snapshot = table.listening();
      };
      const busy = (port: number): boolean | Promise<boolean> => {
        let b = seen.get(port);
        if (b !== undefined) return b; // what this scan already said stands
        if (snapshot && port >= bindBelow) return snapshot.has(port);
        if (knownHolder(port)) b = true;
        else {
          const ok = free(port);
          // A settled bind is remembered as a plain answer, which busyNow can give.
          b = typeof ok === 'boolean' ? !ok : ok.then((f) => { seen.set(port, !f); return !f; });
        }
        seen.set(port, b);
        return b;
      };
      return {
        async isBusy(port) {
          assertPort(port);
          outgrow(1);
          return busy(port);
        },
        busyNow(port) {
          const b = seen.get(port) ?? (port >= bindBelow ? snapshot?.has(port) : undefined);
          return typeof b === 'boolean' ? b : undefined;
        },
        async prefetch(ports) {
          outgrow(ports.length);
          // All binds are issued in this one tick; only those that did not settle at once are awaited.
          let pending: Array<Promise<boolean>> | undefined;
          for (const port of ports) {
            const b = busy(port);
            if (typeof b !== 'boolean') (pending ??= []).push(b);
          }
          if (pending) await Promise.all(pending);
        },
      };
    },
  };
}

/** The first port an unprivileged process may bind (Linux sysctl; 1024 unless changed, 0 in some containers). */
function unprivilegedPortStart(procRoot: string): number {
  try {
    const n = Number(fs.readFileSync(`${procRoot}/sys/net/ipv4/ip_unprivileged_port_start`, 'utf8').trim());
    return Number.isInteger(n) && n >= 0 ? n : 1024;
  } catch {
    return 1024;
  }
}

let shared: FullPortProbe | undefined;
/** One probe per process, so the holder cache serves every engine of a host. */
export function defaultPortProbe(): FullPortProbe {
  shared ??= createPortProbe();
  return shared;
}

/** True when the port binds on every probe address that exists here, tried one after another. */
export async function bindsEverywhere(port: number): Promise<boolean> {
  for (const host of PROBE_HOSTS) {
    if ((await tryBind(port, host)) === 'busy') return false;
  }
  return true;
}

/**
 * Linux: one bind with no host, which node makes on the dual-stack `::` (or on 0.0.0.0 where
 * there is no IPv6), colliding with a listener on 127.0.0.1, 0.0.0.0, ::1 or :: alike.
 */
export async function bindsDualStack(port: number): Promise<boolean> {
  return bindDualStackNow(port);
}

/**
 * bindsDualStack, answered in the same tick when it can be: listen() with no host binds
 * synchronously in a process that is not a cluster worker (no DNS lookup, no round trip to the
 * primary), so `listening` is already true for a free port, and close() shuts the socket at once.
 * Node allows listen() again after close(), so one server serves every free port, which spares a
 * server object, a promise, two closures and a tick per port (a third of the cost of checking
 * fifty ports). Anything else (a busy port, whose error is emitted on a later tick, or a worker's
 * deferred bind) is settled by that server's events, as tryBind does, and the server is not reused.
 */
export function bindDualStackNow(port: number): boolean | Promise<boolean> {
  const server = reusable ?? net.createServer();
  reusable = undefined;
  server.listen({ port, exclusive: true });
  if (server.listening) {
    server.close();
    reusable = server;
    return true;
  }
  // Both events are emitted on a later tick, so listening for them now misses neither.
  return settle(server).then((r) => r !== 'busy');
}

/** A closed server with no listeners, ready to listen again. */
let reusable: net.Server | undefined;

/**
 * One real bind. In use / not allowed mean busy; a missing address or family (no IPv6 here) is
 * skipped; any other error is a real fault and is thrown.
 */
export function tryBind(port: number, host: string | undefined): Promise<'free' | 'busy' | 'absent'> {
  const server = net.createServer();
  // ipv6Only on an explicit "::" so that it answers for IPv6 alone (0.0.0.0 answers for IPv4);
  // no host at all is the dual-stack bind.
  server.listen(host === undefined ? { port, exclusive: true } : { port, host, exclusive: true, ipv6Only: host === '::' });
  return settle(server);
}

/** The outcome of a listen() already issued on `server`, from its 'listening' or 'error' event. */
function settle(server: net.Server): Promise<'free' | 'busy' | 'absent'> {
  server.unref();
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve('busy');
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') resolve('absent');
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      // close() shuts the socket at once; only its callback waits for the next loop turn, and
      // waiting for it would make every probe cost a full event-loop iteration.
      server.close();
      resolve('free');
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}
