// Tells whether the process that wrote a lease or a lock is still the same living process. A pid
// alone is not enough: a SIGKILLed child lingers as a zombie until reaped, and pids get reused.
import * as fs from 'node:fs';

/** The kernel's start time of a process (clock ticks since boot), or undefined off Linux. */
export function processStartTime(pid: number): number | undefined {
  const stat = readStat(pid);
  return stat ? stat.startTime : undefined;
}

export function isProcessAlive(pid: number, startTime?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; anything else (ESRCH) means it is gone.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  if (!stat) return true; // no /proc: trust kill(0)
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

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
