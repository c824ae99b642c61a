// The usage record on disk: one small JSON file per workspace in the state folder (one host per
// workspace, so no two hosts write one file), read totally at start (a broken or foreign file is
// set aside with a warning, never fatal) and written atomically (temp + rename), batched.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { PortUsage, UsageReport } from '../../protocol/usage';
import { countContest, parseUsageFile, serializeUsage, usageReport, USAGE_LIMITS, type Contest } from './usageRecord';

/** `<state>/usage/<16 hex of sha256(workspace)>.json`: a path of any length maps to a short name. */
export function usageFile(stateDir: string, workspace: string): string {
  const id = crypto.createHash('sha256').update(path.resolve(workspace)).digest('hex').slice(0, 16);
  return path.join(stateDir, 'usage', `${id}.json`);
}

export interface UsageStoreOptions {
  file: string;
  workspace: string;
  now?: () => Date;
  /** Contests within this window are written together. Default 1 s. */
  saveDelayMs?: number;
  /** A stored file that could not be used, or a write that failed: one sentence. */
  warn?: (message: string) => void;
}

async function readTotally(file: string, workspace: string, warn: (message: string) => void): Promise<Map<number, PortUsage>> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size > USAGE_LIMITS.fileBytes) throw new Error(`it is ${size} bytes, more than the ${USAGE_LIMITS.fileBytes} a usage record can be`);
    return parseUsageFile(await handle.readFile('utf8'), workspace);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`Usage record ${file} ignored: ${(error as Error).message}; starting a new one`);
    return new Map();
  } finally {
    await handle?.close();
  }
}

export class UsageStore {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;

  private constructor(private readonly options: UsageStoreOptions, private readonly ports: Map<number, PortUsage>) {}

  static async open(options: UsageStoreOptions): Promise<UsageStore> {
    const warn = options.warn ?? (() => undefined);
    return new UsageStore({ ...options, warn }, await readTotally(options.file, path.resolve(options.workspace), warn));
  }

  get workspace(): string { return path.resolve(this.options.workspace); }

  record(contest: Contest): void {
    if (this.closed || !Number.isInteger(contest.port) || contest.port < 1 || contest.port > 65535) return;
    countContest(this.ports, contest, (this.options.now ?? (() => new Date()))());
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.saveDelayMs ?? 1000).unref();
  }

  /** What the dashboard's usage view shows: most contested ports first. */
  report(): UsageReport {
    return usageReport(this.workspace, this.ports);
  }

  /** Writes pending contests now; resolves when they are on disk (or the write failed and was reported). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const { file } = this.options;
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await fs.writeFile(temp, serializeUsage(this.workspace, this.ports), { mode: 0o600 });
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      this.options.warn!(`Could not save the usage record ${file}: ${(error as Error).message}`);
    }
  }
}
