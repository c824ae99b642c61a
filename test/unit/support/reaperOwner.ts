// An owner that dies at once: starts a reaper, starts a process group, registers it and SIGKILLs
// itself in the same tick, so the reaper's node has not even booted when its owner is gone.
// Prints the group's pid first. Run by reaper.test.ts.
import { spawn } from 'node:child_process';
import { recordOf } from '../../../server/proc/processIdentity';
import { Reaper } from '../../../server/proc/reaper';

const reaper = Reaper.start();
const child = spawn('sh', ['-c', 'sleep 60 & sleep 60; wait'], { detached: true, stdio: 'ignore' });
reaper.watch(recordOf(child.pid!)!);
process.stdout.write(`${child.pid} ${reaper.pid}\n`, () => process.kill(process.pid, 'SIGKILL'));
