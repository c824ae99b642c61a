// The reaper with real processes: a watched process group ends when the owner's pipe closes; a
// released one is left running; malformed lines are ignored, not fatal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { isAlive, waitGone } from '../../../server/launch/processTree';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readStat, recordOf } from '../../../server/proc/processIdentity';
import { Reaper } from '../../../server/proc/reaper';
import { parseReaperLine } from '../../../server/proc/reaperProtocol';

/** Live (not zombie) processes of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
    const stat = readStat(pid);
    return stat !== null && stat.pgid === pgid && stat.state !== 'Z';
  });
}

function sleeper(): number {
  // Its own group, as a launcher's services are; a child in the group too.
  const child = spawn('sh', ['-c', 'sleep 60 & sleep 60; wait'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

test('when its owner\'s pipe closes, the reaper ends every watched group, children included', async () => {
  const reaper = Reaper.start();
  await reaper.ready;
  const pid = sleeper();
  const record = recordOf(pid);
  assert.ok(record);
  assert.equal(record.pgid, pid, 'the sleeper leads its own group');
  reaper.watch(record);
  await reaper.close();
  assert.equal(await waitGone([pid], 5000), true, 'the group leader is gone');
  // kill(-pgid, 0) would also count zombies not yet reaped: look for live members instead.
  assert.equal(await waitGone(groupMembers(pid), 5000), true, 'nothing of the group is left');
});

test('a group registered before the reaper has booted still ends when its owner is SIGKILLed that same moment', async () => {
  // Nothing waits for the reaper's start, so this is the window every launch may fall in.
  const owner = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'support', 'reaperOwner.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  owner.stdout.on('data', (d) => { out += d; });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => owner.once('exit', (c, s) => resolve([c, s])));
  assert.equal(signal, 'SIGKILL', `the owner was killed (exit code ${code})`);
  const [pid, reaperPid] = out.trim().split(' ').map(Number);
  assert.ok(pid && reaperPid, `the owner printed its group and its reaper: ${JSON.stringify(out)}`);
  assert.equal(await waitGone([pid], 10_000), true, 'the group leader is gone');
  assert.equal(await waitGone(groupMembers(pid), 5000), true, 'nothing of the group is left');
  assert.equal(await waitGone([reaperPid], 5000), true, 'the reaper exited when done');
});

test('released: the reaper exits and leaves the services running', async (t) => {
  const reaper = Reaper.start();
  await reaper.ready;
  const pid = sleeper();
  t.after(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } });
  reaper.watch(recordOf(pid)!);
  await reaper.release();
  assert.equal(isAlive(reaper.pid), false, 'the reaper exited');
  assert.equal(isAlive(pid), true, 'the released service still runs');
});

test('reaper lines: only well-formed messages count', () => {
  assert.deepEqual(parseReaperLine('{"op":"watch","pgid":5,"pid":5,"startTime":12}'), { op: 'watch', pgid: 5, pid: 5, startTime: 12 });
  assert.equal(parseReaperLine('{"op":"watch","pgid":5,"pid":6,"startTime":12}'), null, 'a group its process does not lead');
  assert.deepEqual(parseReaperLine('{"op":"forget","pgid":5}'), { op: 'forget', pgid: 5 });
  assert.deepEqual(parseReaperLine('{"op":"release"}'), { op: 'release' });
  for (const bad of ['', 'nope', '{"op":"watch","pgid":-1,"pid":5,"startTime":1}', '{"op":"watch","pgid":1}', '{"op":"kill","pgid":1}', 'null', '[]']) {
    assert.equal(parseReaperLine(bad), null, bad);
  }
});
