// Node only, loaded on demand by the ports config: finds this folder's running host through the
// user's discovery records, under the same rules as the CLI (server/discovery/trustedHosts.ts): a
// trusted state folder and record file, a live pid of the user's, and a host that proves it holds
// the record's token. Node builtins are imported dynamically so the browser build never references them.

import { resolveStateDir } from '../../protocol/stateDir';
import { proveHost, readRecords, type DiscoveryIo } from '../../server/discovery/trustedHosts';

async function nodeIo(timeoutMs: number): Promise<DiscoveryIo> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const crypto = await import('node:crypto');
  const io: DiscoveryIo = {
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    facts(p) {
      let st;
      try {
        st = fs.lstatSync(p);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return undefined;
        throw error;
      }
      return { isSymbolicLink: st.isSymbolicLink(), isDirectory: st.isDirectory(), isFile: st.isFile(), uid: st.uid, mode: st.mode & 0o777 };
    },
    readdir: (dir) => fs.readdirSync(dir),
    readFile: (file) => fs.readFileSync(file, 'utf8'),
    join: path.join,
    alive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        // ESRCH: gone; EPERM: another user's process, so not the host that wrote our record.
        return false;
      }
    },
    nonce: () => crypto.randomBytes(32).toString('hex'),
    hmac: (key, text) => crypto.createHmac('sha256', key).update(text).digest('hex'),
    async getJson(url) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const res = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
        if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
        return await res.json();
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return io;
}

export interface DiscoveredHosts {
  /** Base URLs of the proven hosts serving the folder, newest first. */
  urls: string[];
  /** Ports of every proven host (a scan answer there is no impostor). */
  provenPorts: number[];
  /** What was not trusted, one line each. */
  notes: string[];
}

/**
 * The live, proven hosts serving `folder` (their workspace is it or a parent of it). Never another
 * project's host: its ports are that project's, and taking them would put two projects' servers on one port.
 */
export async function discoveredHosts(env: Record<string, string | undefined>, folder: string, timeoutMs = 800): Promise<DiscoveredHosts> {
  const io = await nodeIo(timeoutMs);
  const path = await import('node:path');
  const os = await import('node:os');
  const stateDir = resolveStateDir({ env, platform: process.platform, home: os.homedir, join: path.join, resolve: path.resolve });
  const read = readRecords(stateDir, io);
  const notes = [...read.notes];
  const urls: string[] = [];
  const provenPorts: number[] = [];
  for (const r of read.records) {
    const problem = await proveHost(r, io, timeoutMs);
    if (problem) {
      notes.push(`Ignoring the discovery record of pid ${r.pid}: ${problem}`);
      continue;
    }
    provenPorts.push(r.port);
    if (await serves(r.workspace, folder)) urls.push(`http://127.0.0.1:${r.port}`);
  }
  return { urls, provenPorts, notes };
}

/** True when `folder` is `workspace` or inside it. */
export async function serves(workspace: string, folder: string): Promise<boolean> {
  const path = await import('node:path');
  const rel = path.relative(path.resolve(workspace), path.resolve(folder));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
