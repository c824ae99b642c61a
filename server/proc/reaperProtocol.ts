// The lines an owner sends its reaper (reaperMain.ts): watch a process group, forget it (it
// ended or was stopped on purpose), or release everything (the user chose to keep the services).
export type ReaperMessage =
  | { op: 'watch'; pgid: number; pid: number; startTime: number }
  | { op: 'forget'; pgid: number }
  | { op: 'release' };

const positive = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0;

/** One line to a message; null for anything malformed (the reaper ignores it rather than die). */
export function parseReaperLine(line: string): ReaperMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return null;
  }
  const m = data as Record<string, unknown> | null;
  if (!m || typeof m !== 'object') return null;
  // Only a group its process leads (how launchers spawn): never a group we merely share with our owner.
  if (m.op === 'watch' && positive(m.pgid) && m.pid === m.pgid && Number.isInteger(m.startTime)) {
    return { op: 'watch', pgid: m.pgid, pid: m.pid, startTime: m.startTime as number };
  }
  if (m.op === 'forget' && positive(m.pgid)) return { op: 'forget', pgid: m.pgid };
  if (m.op === 'release') return { op: 'release' };
  return null;
}
