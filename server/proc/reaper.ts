// The owner's side of the reaper (reaperMain.ts, built as dist/reaper.js): spawns it detached
// with a pipe on its stdin and tells it each process group we start. If this process dies in any
// way, the pipe closes and the reaper ends those groups: nothing Manito starts outlives its owner
// unless the user chose so (release()).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessRecord } from './processIdentity';
import type { ReaperMessage } from './reaperProtocol';

/** dist/reaper.js beside the running bundle; from sources (tests), reaperMain.ts through tsx. */
function reaperCommand(): { args: string[]; cwd: string } {
  const built = path.join(__dirname, 'reaper.js');
  if (fs.existsSync(built)) return { args: [built], cwd: '/' };
  const source = path.join(__dirname, 'reaperMain.ts');
  if (fs.existsSync(source)) return { args: ['--import', 'tsx', source], cwd: path.resolve(__dirname, '../..') };
  throw new Error(`the reaper script is missing (looked for ${built})`);
}

export class Reaper {
  private closed = false;

  /** Settles when the reaper listens (see start()). */
  private constructor(private readonly child: ChildProcess, readonly ready: Promise<void>) {}

  get pid(): number { return this.child.pid!; }

  /**
   * Starts a reaper. Registrations may follow at once, nothing waits for its node to boot: they
   * wait in its stdin pipe until it reads them, and if we die first the pipe still hands them over
   * before its end, so nothing launched meanwhile escapes. `ready` resolves once it listens and
   * rejects if it exits first. Throws where process groups do not exist (Windows).
   */
  static start(env: NodeJS.ProcessEnv = process.env): Reaper {
    if (process.platform === 'win32') throw new Error('no process groups on Windows');
    const { args, cwd } = reaperCommand();
    // Detached: its own process group, so a Ctrl-C or a terminal's SIGHUP meant for us does not reach it.
    const child = spawn(process.execPath, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin!.on('error', () => { /* the reaper is gone; nothing to tell it any more */ });
    // Neither the child nor our end of its stdin may keep this process alive; its stdout does
    // until it says ready (a few tens of ms), so that `ready` can be awaited.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    const ready = new Promise<void>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('ready\n')) { cleanup(); resolve(); }
      };
      const onExit = (code: number | null) => { cleanup(); reject(new Error(`the reaper exited at start (code ${code})`)); };
      const onError = (error: Error) => { cleanup(); reject(error); };
      const cleanup = () => {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
        child.stdout!.destroy();
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
    return new Reaper(child, ready);
  }

  /** From now on, this process group ends with us. */
  watch(record: ProcessRecord): void {
    if (record.pgid !== record.pid) return; // not a group of its own: ending the group would end others
    this.send({ op: 'watch', pgid: record.pgid, pid: record.pid, startTime: record.startTime });
  }

  /** The group ended or was stopped on purpose. */
  forget(pgid: number): void {
    this.send({ op: 'forget', pgid });
  }

  /** The user keeps the services running after we go (`manito up --detach`): the reaper exits without killing. */
  release(): Promise<void> {
    this.send({ op: 'release' });
    return this.close();
  }

  /** Normal end: whatever is still registered is ended by the reaper now. Resolves when it has exited (bounded). */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.child.stdin!.end();
    }
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    // Held while we wait for it; unref()ed again so it never keeps this process up on its own.
    this.child.ref();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.child.unref(); resolve(); }, 5000);
      this.child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
  }

  private send(message: ReaperMessage): void {
    if (this.closed) return;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }
}
