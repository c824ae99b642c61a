// The failure seen once under stress-ng (60 leases where 48 were expected): a breaker holding an
// outdated stale judgment moved the live registry lock off its path, a third host took the lock in
// that moment, and two releases, each a read-modify-write under "the" lock, ran together: the last
// write, made from a file read before the other release, brought that host's leases back. The
// interleaving is injected (a rename of the lock path lets the third host in), so it runs the same
// every time.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
// The module object itself, whose renameSync the test replaces (the namespace is read-only).
import fsModule from 'node:fs';
import * as path from 'node:path';
import { mock, test } from 'node:test';
import { breakStale, look } from '../../../server/engine/fileLock';
import { LeaseRegistry, type Lease } from '../../../server/engine/leaseRegistry';
import { tempStateDir } from './engineTestKit';

const lease = (owner: string, port: number): Lease =>
  ({ port, service: 'web', workspace: `/${owner}`, pid: process.pid, owner, since: new Date(0).toISOString() });

test('a release is never overwritten by a host that took the lock beside its holder', async () => {
  const dir = tempStateDir();
  const file = path.join(dir, 'leases.json');
  const lockPath = `${file}.lock`;
  await new LeaseRegistry({ file }).transact((leases) => { leases.push(lease('x', 40001), lease('y', 40002)); });

  // A stale judgment made earlier: a dead host's lock, which another breaker has removed since.
  const dead = `${lockPath}.999999-dead-0`;
  fs.writeFileSync(dead, '999999 - 999999-dead-0');
  fs.linkSync(dead, lockPath);
  const stale = look(lockPath)!;
  fs.unlinkSync(lockPath);
  fs.unlinkSync(dead);

  // Host Y releases its leases the moment the lock path is renamed (empty until put back).
  let third: Promise<void> | undefined;
  const rename = fs.renameSync;
  mock.method(fsModule, 'renameSync', (from: fs.PathLike, to: fs.PathLike) => {
    rename(from, to);
    if (from === lockPath && !third) third = new LeaseRegistry({ file }).releaseOwner('y');
  });
  try {
    // Host X holds the lock and releases its leases; the outdated breaker runs meanwhile.
    await new LeaseRegistry({ file }).transact(async (leases) => {
      leases.splice(0, leases.length, ...leases.filter((l) => l.owner !== 'x'));
      breakStale(lockPath, stale, path.join(dir, 'aside'));
      await third; // beside X only if it got in: then X writes last, from its read before Y's release
    });
  } finally {
    mock.restoreAll();
  }
  if (!third) await new LeaseRegistry({ file }).releaseOwner('y'); // Y waited for its turn, as it must
  assert.deepEqual(new LeaseRegistry({ file }).read().map((l) => l.owner), [], 'both releases stand: none comes back');
  assert.equal(third, undefined, 'host Y took the lock while host X held it');
  fs.rmSync(dir, { recursive: true, force: true });
});
