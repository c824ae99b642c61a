// Entry of dist/reaper.js: a tiny supervisor that ends every process group its owner (a host or
// `manito up`) registered once that owner dies, however it dies (SIGKILL included). The owner
// holds the other end of our stdin; the kernel closes it when the owner goes, and that is the
// signal. Protocol: one JSON object a line (ReaperMessage in reaperProtocol.ts).
import { parseReaperLine, type ReaperMessage } from './reaperProtocol';
import { readStat } from './processIdentity';

const GRACE_MS = Number(process.env.MANITO_REAPER_GRACE_MS) || 1500;

interface Watched { pgid: number; pid: number; startTime: number }
const watched = new Map<number, Watched>();
let released = false;

// The owner's terminal closing or a Ctrl-C meant for it must not take us first.
for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) process.on(sig, () => {});

function apply(message: ReaperMessage): void {
  switch (message.op) {
    case 'watch': watched.set(message.pgid, { pgid: message.pgid, pid: message.pid, startTime: message.startTime }); break;
    case 'forget': watched.delete(message.pgid); break;
    case 'release': released = true; break;
  }
}

/** The group still holds something we started: its leader is ours or gone (a dead leader's pgid cannot be reused while members remain). */
function stillOurs(w: Watched): boolean {
  const stat = readStat(w.pid);
  return stat === null || stat.startTime === w.startTime;
}

function signalAll(sig: NodeJS.Signals): number {
  let alive = 0;
  for (const w of watched.values()) {
    if (!stillOurs(w)) continue;
    try {
      process.kill(-w.pgid, sig);
      alive++;
    } catch {
      watched.delete(w.pgid); // ESRCH: the group is empty
    }
  }
  return alive;
}

async function reap(): Promise<void> {
  if (released || watched.size === 0) process.exit(0);
  signalAll('SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (signalAll(0 as unknown as NodeJS.Signals) === 0) process.exit(0);
  }
  signalAll('SIGKILL');
  process.exit(0);
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const message = parseReaperLine(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
    if (message) apply(message);
  }
});
process.stdin.on('end', () => void reap());
process.stdin.on('error', () => void reap());
// Ready: tells the owner we started (it does not wait for this to register anything: registrations
// wait in the pipe). The owner may be dead already, killed before we booted: writing to its closed
// end must not take us down before we end what it registered.
process.stdout.on('error', () => {});
process.stdout.write('ready\n');
