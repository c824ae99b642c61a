// A service process this host did not spawn but can prove is Manito's (a record left by an earlier
// host or `manito up --detach`): the same handle a launch gives, so Stop works across host restarts.
import { isSameProcess, type ProcessRecord } from '../proc/processIdentity';
import type { Reaper } from '../proc/reaper';
import { ExitSignal, type ExitInfo, type LaunchedService } from './launcher';
import { killTree } from './processTree';

export interface RecordedProcessOptions {
  /** Ends it with this host unless the user keeps services running. */
  reaper?: Reaper;
  graceMs?: number;
  /** How often to look whether it still runs (we are not its parent: no exit event). Default 500 ms. */
  pollMs?: number;
}

export function recordedProcess(service: string, record: ProcessRecord, options: RecordedProcessOptions = {}): LaunchedService {
  const exit = new ExitSignal();
  options.reaper?.watch(record);
  const timer = setInterval(() => {
    if (!isSameProcess(record)) exit.fire({ code: null });
  }, options.pollMs ?? 500);
  timer.unref();
  exit.on(() => {
    clearInterval(timer);
    options.reaper?.forget(record.pgid);
  });
  let stopping: Promise<void> | undefined;
  return {
    service,
    pid: record.pid,
    record,
    runner: 'process',
    get exited() { return exit.fired; },
    onExit: (listener: (info: ExitInfo) => void) => exit.on(listener),
    stop: () => {
      // Its group, as a launch would: only while the record still names the same process.
      stopping ??= (async () => {
        // The group only when the process leads it (a shell in an editor's terminal may share its editor's).
        if (isSameProcess(record)) await killTree(record.pid, { ...(record.pgid === record.pid ? { group: record.pgid } : {}), graceMs: options.graceMs ?? 3000 });
        exit.fire({ code: null });
      })();
      return stopping;
    },
  };
}

/** An external process (adopted under rule (b)), stopped only after the user confirmed: its tree, not its group (which may be the user's shell's). */
export function stopExternal(pid: number, startTime: number | undefined, graceMs = 3000): Promise<void> {
  if (startTime !== undefined && !isSameProcess({ pid, startTime })) return Promise.resolve();
  return killTree(pid, { graceMs });
}
