// HolderWatch decides when "3000 is free again" is true: only for a foreign holder named by pid,
// only once it has exited and the port is free, withdrawn when the port is taken again or the
// service moves. Liveness and port checks are injected; the decisions are what is tested.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Assignment } from '../../../server/engine/engineApi';
import { HolderWatch, type FreedPort } from '../../../server/host/holderWatch';

function setup(assignments: Map<string, Assignment>) {
  const alive = new Set<number>([42]);
  const busy = new Set<number>([3000]);
  const changes: Array<[string, FreedPort | null]> = [];
  const watch = new HolderWatch({
    assignments: () => assignments,
    preferredPort: (name) => (name === 'api' || name === 'db' || name === 'web' ? 3000 : undefined),
    alive: (pid) => alive.has(pid),
    isFree: async (port) => !busy.has(port),
    onChange: (service, freed) => changes.push([service, freed]),
  });
  return { watch, alive, busy, changes };
}

const moved = (service: string, holder: Assignment['holder']): Assignment => ({ service, port: 3001, reason: 'fallback', explanation: '3000 is held by pid 42 (python3), assigned 3001', ...(holder ? { holder } : {}) });

test('a foreign holder that exits frees the port once, with the sentence; taken again, the offer is withdrawn', async () => {
  const assignments = new Map([['api', moved('api', { pid: 42, command: 'python3 -m http.server 3000' })]]);
  const { watch, alive, busy, changes } = setup(assignments);
  await watch.tick();
  assert.equal(changes.length, 0, 'the holder still runs');
  alive.delete(42);
  await watch.tick();
  assert.equal(changes.length, 0, 'exited, but the port is not free yet');
  busy.delete(3000);
  await watch.tick();
  await watch.tick();
  assert.equal(changes.length, 1, 'said once');
  assert.equal(changes[0]![1]!.explanation, '3000 is free again: pid 42 (python3 -m http.server 3000), which held it, has exited; api stays on 3001 until you move it back');
  assert.deepEqual(watch.get('api')?.port, 3000);
  busy.add(3000);
  await watch.tick();
  assert.deepEqual(changes[1], ['api', null]);
  assert.equal(watch.get('api'), undefined);
});

test('no offer for a managed holder, a holder without a pid, a service on its preferred port, or one that moved since', async () => {
  const assignments = new Map<string, Assignment>([
    ['api', moved('api', { service: 'web', pid: 7 })],
    ['db', moved('db', { command: 'unknown' })],
    ['web', { service: 'web', port: 3000, reason: 'preferred', explanation: '' }],
  ]);
  const { watch, busy, changes } = setup(assignments);
  busy.clear();
  await watch.tick();
  assert.equal(changes.length, 0);

  assignments.set('api', moved('api', { pid: 99 }));
  await watch.tick();
  assert.equal(watch.get('api')?.port, 3000);
  assignments.set('api', { service: 'api', port: 3000, reason: 'preferred', explanation: 'api moved back' });
  await watch.tick();
  assert.equal(watch.get('api'), undefined, 'moved back: nothing left to offer');
});
