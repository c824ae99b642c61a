// Decides whether a port is free on this machine by binding it, which is the kernel's own answer,
// and names the holder of a busy port from /proc: the socket's inode from /proc/net/tcp{,6}, the
// process holding that inode from /proc/<pid>/fd, its command line. Where /proc is not there (or
// the holder is another user's process) the holder is unnamed: "held by another process".
import * as net from 'node:net';
import type { PortProbe } from './engineApi';
import { assertPort } from './plan/portNumbers';
import { processStartTime } from './processAlive';
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

export function createPortProbe(options: PortProbeOptions = {}): PortProbe {
  const procRoot = options.procRoot === undefined ? (process.platform === 'linux' ? '/proc' : null) : options.procRoot;
  const wildcardOnly = options.wildcardOnly ?? process.platform === 'linux'; // as bindsFree()
  const owners = !procRoot ? null : procRoot === '/proc' ? sharedSocketOwners() : new SocketOwnerCache(procRoot);
  const free = (port: number): Promise<boolean> => (wildcardOnly ? bindsDualStack(port) : bindsEverywhere(port));
  return {
    async isFree(port) {
      assertPort(port);
      return free(port);
    },
    async holder(port) {
      assertPort(port);
      if (await free(port)) return null;
      const owner = owners?.holderOf(port);
      if (!owner || owner.pid === undefined || procRoot !== '/proc') return owner ?? {};
      // The start time tells this process from a later one given the same pid (a lease keeps it).
      const startTime = processStartTime(owner.pid);
      return startTime === undefined ? owner : { ...owner, startTime };
    },
  };
}

let shared: PortProbe | undefined;
/** One probe per process, so the holder cache serves every engine of a host. */
export function defaultPortProbe(): PortProbe {
  shared ??= createPortProbe();
  return shared;
}

/** Whether nothing listens on (or holds) the port on any address: the check a probe makes here. */
export function bindsFree(port: number): Promise<boolean> {
  return process.platform === 'linux' ? bindsDualStack(port) : bindsEverywhere(port);
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
  return (await tryBind(port, undefined)) !== 'busy';
}

/**
 * One real bind. In use / not allowed mean busy; a missing address or family (no IPv6 here) is
 * absent, which takes nothing; any other error is a real fault and is thrown.
 */
export function tryBind(port: number, host: string | undefined): Promise<'free' | 'busy' | 'absent'> {
  const server = net.createServer();
  server.unref();
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve('busy');
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') resolve('absent');
      else reject(error);
    });
    server.once('listening', () => {
      // close() shuts the socket at once; only its callback waits, for a loop turn not worth waiting.
      server.close();
      resolve('free');
    });
    // ipv6Only on an explicit "::" so that it answers for IPv6 alone (0.0.0.0 answers for IPv4);
    // no host at all is the dual-stack bind.
    server.listen(host === undefined ? { port, exclusive: true } : { port, host, exclusive: true, ipv6Only: host === '::' });
  });
}
