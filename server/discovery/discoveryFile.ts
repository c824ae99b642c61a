// The host's discovery file: hostsDir()/<pid>.json, readable only by the user, written atomically,
// removed on exit. The reader (also used by the CLI) ignores files whose pid is no longer alive.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type DiscoveryRecord } from '../../protocol/discovery';
import { hostsDir } from './statePaths';

export function newHostToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function discoveryFilePath(pid: number, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(hostsDir(env), `${pid}.json`);
}

/** Writes the record; returns a function that removes it (synchronous, so it can run in 'exit'). */
export function writeDiscoveryFile(record: DiscoveryRecord, env: NodeJS.ProcessEnv = process.env): () => void {
  const dir = hostsDir(env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode does not apply to a folder that already existed.
  fs.chmodSync(dir, 0o700);
  const file = discoveryFilePath(record.pid, env);
  const temp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    try {
      fs.unlinkSync(file);
    } catch {
      // Already gone: another cleanup ran first.
    }
  };
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isRecord(value: unknown): value is DiscoveryRecord {
  const r = value as DiscoveryRecord;
  return typeof r === 'object' && r !== null && r.version === 1 && Number.isInteger(r.pid) && Number.isInteger(r.port)
    && typeof r.url === 'string' && typeof r.workspace === 'string' && typeof r.token === 'string';
}

/** Every live host's record, newest first. Unreadable, malformed and dead-pid files are skipped. */
export function readLiveHosts(env: NodeJS.ProcessEnv = process.env): DiscoveryRecord[] {
  const dir = hostsDir(env);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const records: DiscoveryRecord[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const value: unknown = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      if (isRecord(value) && isPidAlive(value.pid)) records.push(value);
    } catch {
      // Half-written or foreign file: not a host we can talk to.
    }
  }
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The live host serving `workspace` (compared as resolved paths), if any. */
export function findHostForWorkspace(workspace: string, env: NodeJS.ProcessEnv = process.env): DiscoveryRecord | undefined {
  const wanted = path.resolve(workspace);
  return readLiveHosts(env).find((r) => path.resolve(r.workspace) === wanted);
}
