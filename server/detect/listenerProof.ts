// Whose is the listener on a port, as proof for adoption (issue 12 rule 1): the socket's owner from
// /proc/net/tcp{,6} and /proc/*/fd, that process's facts (uid, cwd, start time, group), and the
// records of what Manito started. The rule itself is adoptionVerdict (server/proc/processIdentity.ts).
import type { PortHolder } from '../../protocol/model';
import { descendants } from '../launch/processTree';
import { adoptionVerdict, processFacts, type AdoptionVerdict, type ProcessRecord } from '../proc/processIdentity';
import { sharedSocketOwners } from '../proc/socketOwners';

export interface ProofInput {
  port: number;
  /** Records of processes Manito started for the service. */
  started: readonly ProcessRecord[];
  /** The workspace and the service's cwd. */
  roots: readonly string[];
  /** Whether the port answers as the service's kind; asked only when rule (b) needs it. */
  fingerprint: () => Promise<boolean>;
}

/** In `record`'s tree: the same process group (a service's children stay in it) or a descendant. */
export function inTreeOf(pid: number, record: ProcessRecord): boolean {
  const facts = processFacts(pid);
  if (facts && facts.pgid === record.pgid) return true;
  return descendants(record.pid).includes(pid);
}

/** Null when nothing listens on the port now. */
export async function proveListener(input: ProofInput): Promise<AdoptionVerdict | null> {
  // Right after a launch the holder is nearly always the launched tree: looking there first spares
  // a walk through every process's fds (tens of ms on a busy machine) on each dependency edge.
  const likely = input.started.flatMap((r) => [r.pid, ...descendants(r.pid)]);
  const holder = sharedSocketOwners().holderOf(input.port, undefined, likely);
  if (holder === null) return null;
  const facts = holder.pid ? processFacts(holder.pid) : null;
  const base = { facts, started: input.started, inTreeOf, roots: input.roots, fingerprintOk: false };
  const first = adoptionVerdict(base);
  // Only a same-user process in the workspace gets as far as needing the fingerprint.
  if (first.adopt || !first.why.includes('kind')) return first;
  return adoptionVerdict({ ...base, fingerprintOk: await input.fingerprint().catch(() => false) });
}

/** The holder as events and explanations name it. */
export function holderOfVerdict(verdict: AdoptionVerdict): PortHolder {
  const f = verdict.facts;
  return f ? { pid: f.pid, startTime: f.startTime, ...(f.command ? { command: f.command.slice(0, 160) } : {}) } : {};
}

/** "pid 1234 (python3 -m http.server)", or "a process we cannot see". */
export function describeHolder(holder: PortHolder): string {
  if (!holder.pid) return 'a process we cannot see (another user\'s)';
  return `pid ${holder.pid}${holder.command ? ` (${holder.command.slice(0, 60)})` : ''}`;
}
