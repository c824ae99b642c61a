// Self-healing: a port assigned to a service that is not running, taken by a foreign process, is
// reassigned and the event names the taker's pid; running services are left alone.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { EngineEvent } from '../../../server/engine/engineApi';
import { engineFor, foreignListener, freeRange, tempStateDir } from './engineTestKit';

let B = 0;
beforeEach(async () => {
  tempStateDir();
  B = await freeRange(6);
});

test('a stolen port of a stopped service is reassigned, and the event names who took it', async () => {
  const { engine, events } = engineFor({ services: { api: { preferred: [B, B + 1] }, db: { preferred: [B + 2] } } });
  await engine.allocateAll();
  assert.equal(engine.get('api')!.port, B);
  const thief = await foreignListener(B, '::');
  try {
    events.length = 0;
    const healed = await engine.heal();
    assert.deepEqual(healed.map((a) => [a.service, a.port, a.reason]), [['api', B + 1, 'moved']]);
    const moved = events.find((e): e is Extract<EngineEvent, { type: 'moved' }> => e.type === 'moved');
    assert.ok(moved, 'a moved event');
    assert.equal(moved.from, B);
    assert.equal(moved.assignment.holder?.pid, thief.pid);
    assert.match(moved.assignment.explanation, new RegExp(`^${B} was taken by pid ${thief.pid} \\(.*node -e.*\\); api moved to ${B + 1}$`));
    assert.equal(engine.get('db')!.port, B + 2, 'untouched');
    assert.deepEqual(await engine.heal(), [], 'nothing left to heal');
  } finally {
    await thief.stop();
    await engine.dispose();
  }
});

test('a running service is never moved by self-healing (its own process holds the port)', async () => {
  const { engine } = engineFor({ services: { api: { preferred: [B + 3, B + 4] } } });
  await engine.allocateAll();
  engine.setRunning('api', true);
  const own = await foreignListener(B + 3);
  try {
    assert.deepEqual(await engine.heal(), []);
    assert.equal(engine.get('api')!.port, B + 3);
  } finally {
    await own.stop();
    await engine.dispose();
  }
});

test('startHealing runs heal on an unref()ed timer and stops', async () => {
  const { engine, events } = engineFor({ services: { api: { preferred: [B + 5] } } });
  await engine.allocateAll();
  const thief = await foreignListener(B + 5);
  try {
    const moved = new Promise<EngineEvent>((resolve) => engine.on((e) => { if (e.type === 'moved') resolve(e); }));
    const stop = engine.startHealing(20);
    const e = await moved;
    stop();
    assert.equal(e.type === 'moved' && e.assignment.holder?.pid, thief.pid);
    assert.ok(events.some((x) => x.type === 'moved'));
  } finally {
    await thief.stop();
    await engine.dispose();
  }
});
