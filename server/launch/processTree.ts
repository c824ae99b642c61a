// Finds and kills the descendants of a process. Linux reads /proc (task children lists, or a
// ppid scan of /proc/*/stat when the kernel lacks them); elsewhere `ps` gives the pid/ppid table.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Parent of every process, from one pass over the system's process table. */
function parentTable(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  const add = (pid: number, ppid: number) => {
    const list = children.get(ppid);
    if (list) list.push(pid); else children.set(ppid, [pid]);
  };
  if (process.platform === 'linux') {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) add(Number(entry), stat.ppid);
    }
    return children;
  }
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined && !Number.isNaN(ppid)) add(pid, ppid);
  }
  return children;
}

/** `/proc/<pid>/stat`: the command name may hold spaces and parentheses, so parse after the last ')'. */
function readStat(pid: number): { state: string; ppid: number; pgrp: number; threads: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields from the third on: state, ppid, pgrp, ... num_threads is the 20th field.
    return { state: rest[0]!, ppid: Number(rest[1]), pgrp: Number(rest[2]), threads: Number(rest[17]) };
  } catch {
    return null;
  }
}

/** Direct children from /proc/<pid>/task/<tid>/children; null when the kernel does not offer it. */
function procChildren(pid: number): number[] | null {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      continue;
    }
    for (const child of text.trim().split(/\s+/)) if (child) out.push(Number(child));
  }
  return out;
}

/** Every descendant of `pid` (not `pid` itself), parents before children. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([pid]);
  let table: Map<number, number[]> | undefined;
  const childrenOf = (p: number): number[] => {
    if (process.platform === 'linux' && !table) {
      const direct = procChildren(p);
      if (direct) return direct;
    }
    table ??= parentTable();
    return table.get(p) ?? [];
  };
  const queue = [pid];
  while (queue.length) {
    for (const child of childrenOf(queue.shift()!)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Alive and not a zombie waiting to be reaped. A multi-threaded process (node, any runtime) shows
 * its main thread as a zombie while its other threads are still exiting, and its files, a
 * listening socket among them, close only with the last of them: until then it counts as alive.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    const stat = readStat(pid);
    if (stat === null || stat.state === 'X') return false;
    return stat.state !== 'Z' || stat.threads > 1;
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone, or not ours: nothing to do either way.
  }
}

export interface KillTreeOptions {
  /** Time between SIGTERM and SIGKILL. Default 3000 ms. */
  graceMs?: number;
  /** Also signal this process group (a child spawned detached leads its own group). */
  group?: number;
  /**
   * `pid` is a terminal's shell: wait for its descendants only, since an interactive shell ignores
   * SIGTERM (waiting for it would always cost the whole grace time) and goes with its terminal.
   * A shell that runs no descendant has exec'd the command itself, and is waited for.
   */
  spareRoot?: boolean;
}

/**
 * SIGTERM `pid`, its group and every descendant found now (found before signalling, since orphans
 * are re-parented and lost); SIGKILL whatever is left after the grace time. Resolves when all are gone.
 */
export async function killTree(pid: number, options: KillTreeOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 3000;
  const found = descendants(pid);
  const pids = options.spareRoot && found.length ? found : [pid, ...found];
  const send = (sig: NodeJS.Signals) => {
    if (options.group) signal(-options.group, sig);
    for (const p of pids) signal(p, sig);
  };
  if (!pids.includes(pid)) signal(pid, 'SIGTERM'); // a shell that would exit on it (a non-interactive one) may
  send('SIGTERM');
  if (await waitGone(pids, graceMs)) return;
  // Descendants born during the grace time count too.
  for (const p of [pid, ...pids]) for (const d of descendants(p)) if (!pids.includes(d)) pids.push(d);
  send('SIGKILL');
  // SIGKILL cannot be refused; on a loaded machine a many-threaded process still takes a while to go.
  await waitGone(pids, 5000);
}

/** Polls until none of `pids` is alive; false on timeout. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (!pids.some(isAlive)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}
