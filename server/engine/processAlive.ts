// Tells whether a process is still the same living process. A pid alone is not enough: a
// SIGKILLed child lingers as a zombie until reaped, and pids get reused.
import * as fs from 'node:fs';

/** The kernel's start time of a process (clock ticks since boot), or undefined off Linux. */
export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/**
 * Whether `pid` runs and, where `startTime` is given and /proc tells, is the process that started
 * then. `ours`: it must also be this user's; another user's pid (kill gives EPERM) is then not the
 * process meant, as for the writer of a lock or lease in the user's own state folder.
 */
export function isProcessAlive(pid: number, startTime?: number, options: { ours?: boolean } = {}): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // ESRCH: gone. EPERM: it exists, but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM' || options.ours) return false;
  }
  const stat = readStat(pid);
  if (!stat) return !HAS_PROC; // without /proc, trust kill(0); with it, the process just exited
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

const HAS_PROC = fs.existsSync('/proc/self/stat');

function readStat(pid: number): { state: string; startTime: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; fields are counted after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], startTime: Number(rest[19]) };
}
