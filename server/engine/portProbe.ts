// Decides whether a port is free on this machine and who holds it. Freedom is decided by real
// binds (the kernel's own answer), or by a holder named earlier whose socket is still open; /proc
// is read only to name a holder, because reading /proc/net/tcp walks the kernel's whole socket
// table and can take tens of milliseconds.
import * as net from 'node:net';
import type { PortProbe, PortScan } from './engineApi';
import { assertPort } from './portNumbers';
import { readTcpTables } from '../proc/tcpTable';
import { sharedSocketOwners, SocketOwnerCache } from '../proc/socketOwners';

/** Every address a dev server commonly binds; a listener on any one of them takes the port. */
export const PROBE_HOSTS: readonly string[] = ['127.0.0.1', '0.0.0.0', '::1', '::'];

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
}

export type FullPortProbe = PortProbe & { scan(): Promise<PortScan> };

export function createPortProbe(options: PortProbeOptions = {}): FullPortProbe {
  const procRoot = options.procRoot === undefined ? (process.platform === 'linux' ? '/proc' : null) : options.procRoot;
  const wildcardOnly = options.wildcardOnly ?? process.platform === 'linux';
  const owners = !procRoot ? null : procRoot === '/proc' ? sharedSocketOwners() : new SocketOwnerCache(procRoot);
  /** port -> the inode that held it last time; re-checked through SocketOwnerCache's readlink. */
  const lastInode = new Map<number, number>();
  const free = (port: number) => (wildcardOnly ? bindsDualStack(port) : bindsEverywhere(port));
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

  return {
    async isFree(port) {
      assertPort(port);
      return free(port);
    },

    async holder(port) {
      assertPort(port);
      const known = knownHolder(port);
      if (known) return known;
      if (await free(port)) return null;
      if (!owners) return {}; // taken, but the OS does not say by whom: "unknown process"
      const sockets = (readTcpTables(procRoot!) ?? []).filter((s) => s.port === port && s.inode > 0);
      const found = sockets.length ? owners.lookup(sockets.map((s) => s.inode)) : new Map();
      for (const { inode } of sockets) {
        const owner = found.get(inode);
        if (owner) {
          lastInode.set(port, inode);
          return owner;
        }
      }
      return {};
    },

    async scan() {
      const seen = new Map<number, Promise<boolean>>();
      const busy = (port: number): Promise<boolean> => {
        let p = seen.get(port);
        if (!p) {
          p = knownHolder(port) ? Promise.resolve(true) : free(port).then((ok) => !ok);
          seen.set(port, p);
        }
        return p;
      };
      return {
        isBusy(port) {
          assertPort(port);
          return busy(port);
        },
        async prefetch(ports) {
          await Promise.all([...new Set(ports)].map(busy));
        },
      };
    },
  };
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
export function bindsDualStack(port: number): Promise<boolean> {
  return tryBind(port, undefined).then((r) => r !== 'busy');
}

/**
 * One real bind. In use / not allowed mean busy; a missing address or family (no IPv6 here) is
 * skipped; any other error is a real fault and is thrown.
 */
export function tryBind(port: number, host: string | undefined): Promise<'free' | 'busy' | 'absent'> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve('busy');
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') resolve('absent');
      else reject(error);
    });
    // ipv6Only on an explicit "::" so that it answers for IPv6 alone (0.0.0.0 answers for IPv4);
    // no host at all is the dual-stack bind.
    const options = host === undefined ? { port, exclusive: true } : { port, host, exclusive: true, ipv6Only: host === '::' };
    server.listen(options, () => {
      // close() shuts the socket at once; only its callback waits for the next loop turn, and
      // waiting for it would make every probe cost a full event-loop iteration.
      server.close();
      resolve('free');
    });
  });
}
