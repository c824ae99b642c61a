// Who a process is, from /proc: owner uid, working directory, kernel start time, process group,
// parent and command line. A pid alone proves nothing (pids are reused, anyone can listen on a
// port); adoption and Stop decide on these facts (issue 12). Off Linux every fact is unknown,
// and unknown never counts as proof.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ProcessFacts {
  pid: number;
  /** Real uid (from /proc/<pid>/status); null when unreadable. */
  uid: number | null;
  /** Working directory; null when hidden from us (another user's process). */
  cwd: string | null;
  /** Kernel start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTime: number;
  pgid: number;
  ppid: number;
  /** The command line, NULs as spaces; null when empty or unreadable. */
  command: string | null;
}

/** The process's identity, the part that survives a host restart: pid, start time, process group. */
export interface ProcessRecord {
  pid: number;
  startTime: number;
  pgid: number;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return null;
  }
}

export function readStat(pid: number, procRoot = '/proc'): { state: string; ppid: number; pgid: number; startTime: number } | null {
  const text = readText(`${procRoot}/${pid}/stat`);
  if (text === null) return null;
  // The command name is in parentheses and may hold spaces; fields are counted after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTime = Number(rest[19]);
  if (!Number.isFinite(startTime)) return null;
  return { state: rest[0]!, ppid: Number(rest[1]), pgid: Number(rest[2]), startTime };
}

/** Everything /proc tells about `pid`; null when it does not exist (or there is no /proc). */
export function processFacts(pid: number, procRoot = '/proc'): ProcessFacts | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const stat = readStat(pid, procRoot);
  if (!stat) return null;
  const uidLine = /^Uid:\s+(\d+)/m.exec(readText(`${procRoot}/${pid}/status`) ?? '');
  let cwd: string | null = null;
  try {
    cwd = fs.readlinkSync(`${procRoot}/${pid}/cwd`);
  } catch {
    // EACCES for another user's process: unknown, which never proves anything.
  }
  const cmdline = readText(`${procRoot}/${pid}/cmdline`);
  const command = cmdline ? cmdline.replace(/\0+$/, '').replace(/\0/g, ' ') || null : null;
  return { pid, uid: uidLine ? Number(uidLine[1]) : null, cwd, startTime: stat.startTime, pgid: stat.pgid, ppid: stat.ppid, command };
}

/** The record to keep for a process we started; null when /proc cannot tell its start time. */
export function recordOf(pid: number, procRoot = '/proc'): ProcessRecord | null {
  const stat = readStat(pid, procRoot);
  return stat ? { pid, startTime: stat.startTime, pgid: stat.pgid } : null;
}

/** True when `record` still names the same living process (same pid and start time, not a zombie). */
export function isSameProcess(record: Pick<ProcessRecord, 'pid' | 'startTime'>, procRoot = '/proc'): boolean {
  const stat = readStat(record.pid, procRoot);
  return stat !== null && stat.startTime === record.startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/** `dir` is `root` or below it (both resolved; no symlink games: /proc gives real paths). */
export function isInside(dir: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Real path where it exists, so a workspace opened through a symlink compares with /proc's cwd. */
export function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

export type AdoptionVerdict =
  | { adopt: true; how: 'manito' | 'external'; facts: ProcessFacts }
  | { adopt: false; why: string; facts: ProcessFacts | null };

export interface AdoptionInput {
  /** The listener's process; null when no readable process holds the port. */
  facts: ProcessFacts | null;
  /** Records of processes Manito started for this service (their trees count as the service). */
  started: readonly ProcessRecord[];
  /** Is `pid` in the tree of one of `started`? (injected: walking /proc is processTree's job). */
  inTreeOf: (pid: number, record: ProcessRecord) => boolean;
  /** Directories a same-user process may run in to be the service: the workspace and the service's cwd. */
  roots: readonly string[];
  /** The port answers the fingerprint of the service's kind. */
  fingerprintOk: boolean;
  uid?: number;
}

/**
 * Issue 12, rule 1: a listener is the service only by proof. (a) Manito started it for this
 * service (a live record whose tree holds the listener), or (b) it belongs to this user, runs inside
 * the workspace (or the service's cwd) and answers as the service's kind. Anything else is foreign.
 */
export function adoptionVerdict(input: AdoptionInput): AdoptionVerdict {
  const { facts } = input;
  if (!facts) return { adopt: false, why: 'its process cannot be read (another user\'s, or gone)', facts: null };
  for (const record of input.started) {
    if (isSameProcess(record) && (record.pid === facts.pid || input.inTreeOf(facts.pid, record))) return { adopt: true, how: 'manito', facts };
  }
  const uid = input.uid ?? process.getuid?.();
  if (uid === undefined || facts.uid === null) return { adopt: false, why: 'its owner cannot be told', facts };
  if (facts.uid !== uid) return { adopt: false, why: `it belongs to uid ${facts.uid}, not this user`, facts };
  if (facts.cwd === null) return { adopt: false, why: 'its working directory cannot be read', facts };
  const cwd = facts.cwd;
  if (!input.roots.some((root) => isInside(cwd, realDir(root)))) return { adopt: false, why: `it runs in ${cwd}, outside the workspace`, facts };
  if (!input.fingerprintOk) return { adopt: false, why: 'it does not answer as the service\'s kind', facts };
  return { adopt: true, how: 'external', facts };
}
