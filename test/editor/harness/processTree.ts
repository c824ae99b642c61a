// Stops a process and every descendant it left behind. code-server forks an extension host, a
// pty host and terminal shells (which run in their own sessions), so killing one process group
// is not enough: the tree is read from /proc before anything is signalled.
import { processFacts } from '../../../server/proc/processIdentity';
import { readFileSync, readdirSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** The pid and all of its living descendants, parents first. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const child = Number(name);
    const parent = parentOf(child);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(child);
    children.set(parent, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** SIGTERM to the whole tree, then SIGKILL to whatever is still alive after `graceMs`. */
export async function killTree(pid: number, graceMs = 5000): Promise<void> {
  const pids = processTree(pid);
  signal(pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Descendants may have forked while we waited; collect them again before the hard stop.
  const rest = [...new Set([...pids.filter(alive), ...(alive(pid) ? processTree(pid) : [])])];
  signal(rest, 'SIGKILL');
}

/**
 * Pids of processes whose environment has `name=value`. Catches descendants that were reparented
 * to init (for example a host restarted by its extension while the extension host was dying).
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (environ.includes(needle)) out.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

/** Stops every process carrying the marker, after the tree itself has been stopped. */
export async function killMarked(name: string, value: string, graceMs = 3000): Promise<void> {
  const pids = processesWithEnv(name, value);
  if (!pids.length) return;
  signal(pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  signal(pids.filter(alive), 'SIGKILL');
}

/** The parents of `pid`, nearest first, up to (not including) `stop` or init. */
export function ancestors(pid: number, stop = process.pid): number[] {
  const out: number[] = [];
  for (let p = processFacts(pid)?.ppid ?? 0; p > 1 && p !== stop; p = processFacts(p)?.ppid ?? 0) out.push(p);
  return out;
}

/** `pid: command line`, for assertion messages. */
export function describePid(pid: number): string {
  return `${pid} ${processFacts(pid)?.command ?? '?'}`;
}
