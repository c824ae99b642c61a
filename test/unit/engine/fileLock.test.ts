// The registry's lock with real processes: a SIGKILLed holder's lock is broken at once, a live
// holder keeps it however long it plans, and processes contending in a loop (one of them killed
// while holding) never hold it together. In-process, with the interleavings injected: a look never
// takes a lock released under it for a stale one, a breaker with an outdated judgment never moves a
// live lock (a third process would take it meanwhile), a released lock and unreadable content hold nothing up.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
// The module object itself, whose methods a test replaces to inject an interleaving (the namespace is read-only).
import fsModule from 'node:fs';
import * as path from 'node:path';
import { beforeEach, mock, test } from 'node:test';
import { breakStale, look, LockTimeoutError, withFileLock } from '../../../server/engine/fileLock';
import { tempStateDir } from './engineTestKit';

const WORKER = path.join(__dirname, 'fixtures', 'lockWorker.ts');
let dir = '';
let lock = '';
beforeEach(() => {
  dir = tempStateDir();
  lock = path.join(dir, 'x.lock');
});

interface Worker {
  child: ChildProcess;
  /** The next line the worker prints that starts with `prefix` (an `error` line rejects). */
  line(prefix: string): Promise<string>;
  kill(): Promise<void>;
}

function worker(...args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: Array<() => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
    for (const w of waiting.splice(0)) w();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { for (const w of waiting.splice(0)) w(); resolve(); }));
  return {
    child,
    line: (prefix) => new Promise((resolve, reject) => {
      const check = () => {
        const i = lines.findIndex((l) => l.startsWith(prefix) || l.startsWith('error'));
        if (i >= 0) {
          const [l] = lines.splice(i, 1);
          return l.startsWith('error') ? reject(new Error(`worker ${child.pid}: ${l}`)) : resolve(l);
        }
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`worker ${child.pid} exited before "${prefix}"`));
        waiting.push(check);
      };
      check();
    }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited; // reaped: no zombie keeps the pid looking alive
    },
  };
}

test('a SIGKILLed holder\'s lock is broken by the next process at once', { timeout: 60_000 }, async () => {
  const holder = worker('hold', lock, '1000000');
  await holder.line('holding');
  assert.equal(look(lock)?.pid, holder.child.pid);
  await holder.kill();
  const t0 = Date.now();
  assert.equal(await withFileLock(lock, () => 'taken', { timeoutMs: 10_000 }), 'taken');
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('x.lock')), [], 'no lock, token or aside file left');
});

test('a live holder that keeps the lock for 15 s is never broken: a waiter times out naming it, the next one waits', { timeout: 90_000 }, async () => {
  const holder = worker('hold', lock, '15000');
  try {
    const since = Number((await holder.line('holding')).split(' ')[1]);
    await assert.rejects(withFileLock(lock, () => 'broken', { timeoutMs: 12_000 }), (error: unknown) =>
      error instanceof LockTimeoutError && error.holderPid === holder.child.pid && new RegExp(`held by pid ${holder.child.pid}$`).test(error.message));
    assert.ok(Date.now() - since >= 12_000);
    const tookAt = await withFileLock(lock, () => Date.now(), { timeoutMs: 60_000 });
    assert.ok(tookAt - since >= 15_000, `taken ${tookAt - since} ms after the holder took it`);
    await holder.line('released');
  } finally {
    await holder.kill();
  }
});

test('8 processes contending in a loop, one SIGKILLed while holding, never hold the lock together', { timeout: 180_000 }, async () => {
  const log = path.join(dir, 'log');
  fs.writeFileSync(log, '');
  const N = 8;
  const ROUNDS = 25;
  const workers = Array.from({ length: N }, (_, i) => worker('loop', lock, log, String(ROUNDS), String(i === 0 ? 5 : -1)));
  try {
    const [victim, ...rest] = workers;
    await victim.line('holding');
    await victim.kill();
    for (const w of rest) await w.line('done');
    // Replay the log: every enter is followed by its own exit, except the victim's last enter.
    let inside: string | null = null;
    const enters = new Map<string, number>();
    const victimPid = String(victim.child.pid);
    for (const [i, line] of fs.readFileSync(log, 'utf8').trimEnd().split('\n').entries()) {
      const [what, pid] = line.split(' ');
      if (what === 'enter') {
        assert.ok(inside === null || inside === victimPid, `line ${i + 1}: ${pid} entered while ${inside} held the lock`);
        inside = pid;
        enters.set(pid, (enters.get(pid) ?? 0) + 1);
      } else {
        assert.equal(inside, pid, `line ${i + 1}: ${pid} left while ${inside} held the lock`);
        inside = null;
      }
    }
    // The victim may be the last to enter: on a loaded machine the others can finish all their rounds first.
    assert.ok(inside === null || inside === victimPid, `the log ends inside ${inside}'s hold, and only the victim never left`);
    assert.equal(enters.get(victimPid), 6);
    for (const w of rest) assert.equal(enters.get(String(w.child.pid)), ROUNDS);
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
});

test('a lock released and retaken between a look\'s open and its fstat is seen as the new holder\'s, not as stale', () => {
  // Holder H's lock as withFileLock makes it: a token linked at the lock path.
  const [hToken, cToken] = [path.join(dir, 'x.lock.1-aa-0'), path.join(dir, 'x.lock.1-cc-0')];
  const cBody = `${process.pid} - ${process.pid}-cc-0`;
  fs.writeFileSync(hToken, `${process.pid} - ${process.pid}-aa-0`);
  fs.linkSync(hToken, lock);
  // The interleaving: the look opens H's lock; H releases (lock path, then token) and C takes the
  // lock; then the look's fstat runs, on H's file, now with no name left (link count 0: "stale").
  const fstat = fs.fstatSync;
  let interleaved = false;
  mock.method(fsModule, 'fstatSync', (...args: Parameters<typeof fs.fstatSync>) => {
    if (!interleaved) {
      interleaved = true;
      fs.unlinkSync(lock);
      fs.unlinkSync(hToken);
      fs.writeFileSync(cToken, cBody);
      fs.linkSync(cToken, lock);
    }
    return fstat(...args);
  });
  try {
    const seen = look(lock);
    assert.ok(interleaved);
    assert.equal(seen?.body, cBody, 'what the path names now: C\'s live lock');
    assert.equal(seen?.nlink, 2);
  } finally {
    mock.restoreAll();
  }
});

test('a breaker whose stale judgment is outdated leaves the live lock in place: no third process takes it beside its holder', async () => {
  const dead = path.join(dir, 'x.lock.999999-dead-0');
  fs.writeFileSync(dead, '999999 - 999999-dead-0');
  fs.linkSync(dead, lock);
  const stale = look(lock)!;
  assert.equal(stale.pid, 999999);
  fs.unlinkSync(lock); // broken by another breaker meanwhile; then C (this process) takes the lock:
  const dToken = path.join(dir, 'x.lock.1-dd-0');
  fs.writeFileSync(dToken, `${process.pid} - ${process.pid}-dd-0`);
  let third = false;
  // D, a third process, tries to take the lock the moment after any rename of the lock path (the
  // breaker moving the lock aside, even to put it back).
  const rename = fs.renameSync;
  mock.method(fsModule, 'renameSync', (from: fs.PathLike, to: fs.PathLike) => {
    rename(from, to);
    if (from === lock) {
      try { fs.linkSync(dToken, lock); third = true; } catch { /* held: as it must be */ }
    }
  });
  try {
    await withFileLock(lock, () => {
      const live = look(lock)!;
      breakStale(lock, stale, path.join(dir, 'aside'));
      assert.equal(third, false, 'a third process took the lock while C held it');
      assert.deepEqual(look(lock), live, 'the live lock is C\'s, the same file');
      assert.deepEqual(fs.readdirSync(dir).filter((n) => /aside|break/.test(n)), []);
    });
  } finally {
    mock.restoreAll();
  }
  assert.equal(fs.existsSync(lock), false, 'released as usual');
});

test('a dead holder, a released lock and unreadable content hold nothing up; the process\'s own acquisitions queue', async () => {
  const dead = path.join(dir, 'x.lock.999999-dead-0');
  fs.writeFileSync(dead, '999999 - 999999-dead-0');
  fs.linkSync(dead, lock);
  assert.equal(await withFileLock(lock, () => 'got it', { timeoutMs: 1000 }), 'got it');
  assert.equal(fs.existsSync(dead), false, 'the dead holder\'s token is removed with its lock');

  // A live holder's lock whose token is gone (link count 1) was released and put back.
  fs.writeFileSync(lock, `${process.pid} - ${process.pid}-beef-0`);
  assert.equal(await withFileLock(lock, () => 'released one', { timeoutMs: 1000 }), 'released one');
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, nonce: 'old format' }));
  fs.linkSync(lock, path.join(dir, 'second-name'));
  assert.equal(await withFileLock(lock, () => 'unreadable', { timeoutMs: 1000 }), 'unreadable');

  const order: string[] = [];
  const first = withFileLock(lock, async () => { order.push('a'); await new Promise((r) => setTimeout(r, 30)); order.push('a-end'); });
  const second = withFileLock(lock, () => { order.push('b'); });
  await Promise.all([first, second]);
  assert.deepEqual(order, ['a', 'a-end', 'b']);
});

test('a state folder removed between two acquisitions (a user cleaning up) is made again by the next one', async () => {
  const nested = path.join(dir, 'gone', 'x.lock');
  assert.equal(await withFileLock(nested, () => 'first'), 'first');
  fs.rmSync(path.dirname(nested), { recursive: true });
  assert.equal(await withFileLock(nested, () => 'second'), 'second');
  assert.deepEqual(fs.readdirSync(path.dirname(nested)), [], 'lock and token removed on release');
});
