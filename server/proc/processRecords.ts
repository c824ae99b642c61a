// What Manito started for a workspace, kept on disk beside the leases: pid, kernel start time and
// process group of each service's process, so a later host (a window reload, `manito down`) can
// prove a listener is ours and stop it. A record whose process is gone is dropped on read.
// Kept apart from leases.json: a lease lives as long as its host, a record as long as its process.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateDir } from '../discovery/stateFolder';
import { withFileLock } from '../engine/fileLock';
import { isSameProcess, type ProcessRecord } from './processIdentity';

export interface ServiceProcess extends ProcessRecord {
  service: string;
  command: string;
  /** Left running on purpose (`manito up --detach`): no reaper ends it. */
  detached?: boolean;
}

interface RecordFile { version: 1; workspace: string; processes: ServiceProcess[] }

export function processRecordsFile(workspace: string, env: NodeJS.ProcessEnv = process.env): string {
  const id = crypto.createHash('sha256').update(path.resolve(workspace)).digest('hex').slice(0, 16);
  return path.join(stateDir(env), 'processes', `${id}.json`);
}

function valid(list: unknown): ServiceProcess[] {
  if (!Array.isArray(list)) return [];
  return list.filter((p): p is ServiceProcess => !!p && typeof p === 'object' &&
    typeof p.service === 'string' && typeof p.command === 'string' &&
    Number.isInteger(p.pid) && p.pid > 0 && Number.isInteger(p.pgid) && p.pgid > 0 && Number.isInteger(p.startTime));
}

export class ProcessRecords {
  readonly file: string;

  constructor(readonly workspace: string, env: NodeJS.ProcessEnv = process.env, file?: string) {
    this.file = file ?? processRecordsFile(workspace, env);
  }

  /** Records whose process still runs (same pid and start time). */
  live(): ServiceProcess[] {
    return this.parse(this.readText()).filter((p) => isSameProcess(p));
  }

  liveOf(service: string): ServiceProcess[] {
    return this.live().filter((p) => p.service === service);
  }

  add(record: ServiceProcess): Promise<void> {
    return this.update((list) => [...list.filter((p) => p.service !== record.service || isSameProcess(p)), record]);
  }

  remove(pid: number): Promise<void> {
    return this.update((list) => list.filter((p) => p.pid !== pid));
  }

  private async update(fn: (list: ServiceProcess[]) => ServiceProcess[]): Promise<void> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await withFileLock(`${this.file}.lock`, () => {
      const next = fn(this.parse(this.readText()).filter((p) => isSameProcess(p)));
      if (next.length === 0) {
        fs.rmSync(this.file, { force: true });
        return;
      }
      const body: RecordFile = { version: 1, workspace: path.resolve(this.workspace), processes: next };
      // Temp file + rename: a reader, or a host killed mid-write, sees the old list or the new one.
      const temp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(body), { mode: 0o600 });
      fs.renameSync(temp, this.file);
    });
  }

  private readText(): string {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch {
      return '';
    }
  }

  private parse(text: string): ServiceProcess[] {
    if (!text.trim()) return [];
    try {
      const data = JSON.parse(text) as Partial<RecordFile> | null;
      // A file for another workspace (a hash collision, a copied state folder) proves nothing here.
      if (data?.workspace !== path.resolve(this.workspace)) return [];
      return valid(data.processes);
    } catch {
      return [];
    }
  }
}
