// Node only, loaded on demand by the ports client: finds a running host's URL through the
// discovery files, as the CLI does. Node builtins are imported dynamically so the browser build
// of the app helpers never references them.

import type { DiscoveryRecord } from '../../protocol/discovery';
import { resolveStateDir } from '../../protocol/stateDir';

async function stateDir(env: Record<string, string | undefined>): Promise<string> {
  const path = await import('node:path');
  const os = await import('node:os');
  return resolveStateDir({ env, platform: process.platform, home: os.homedir, join: path.join, resolve: path.resolve });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Base URLs of live hosts, the one serving the current folder (or a parent of it) first. */
export async function discoveredHostUrls(env: Record<string, string | undefined>): Promise<string[]> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const dir = path.join(await stateDir(env), 'hosts');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const records: DiscoveryRecord[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const r = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as DiscoveryRecord;
      if (r.version === 1 && Number.isInteger(r.port) && alive(r.pid)) records.push(r);
    } catch {
      // Half-written or foreign file.
    }
  }
  const cwd = process.cwd();
  const serves = (r: DiscoveryRecord) => {
    const rel = path.relative(path.resolve(r.workspace), cwd);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  records.sort((a, b) => Number(serves(b)) - Number(serves(a)) || b.startedAt.localeCompare(a.startedAt));
  return records.map((r) => `http://127.0.0.1:${r.port}`);
}
