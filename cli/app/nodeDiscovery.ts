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

/**
 * Base URLs of the live hosts serving `folder` (their workspace is it or a parent of it), newest
 * first. Never another project's host: its ports are that project's, and taking them would put
 * two projects' servers on one port.
 */
export async function discoveredHostUrls(env: Record<string, string | undefined>, folder: string): Promise<string[]> {
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
  const serving = [];
  for (const r of records) if (await serves(r.workspace, folder)) serving.push(r);
  serving.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return serving.map((r) => `http://127.0.0.1:${r.port}`);
}

/** True when `folder` is `workspace` or inside it. */
export async function serves(workspace: string, folder: string): Promise<boolean> {
  const path = await import('node:path');
  const rel = path.relative(path.resolve(workspace), path.resolve(folder));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
