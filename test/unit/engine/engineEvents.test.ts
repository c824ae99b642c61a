// The engine's events: every listener hears each event in order, a listener that throws is
// reported to onListenerError without silencing the others, and unsubscribing stops delivery.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { EngineEvent } from '../../../server/engine/engineApi';
import { engineFor, freeRange, tempStateDir } from './engineTestKit';

let B = 0;
beforeEach(async () => {
  tempStateDir();
  B = await freeRange(4);
});

test('a throwing listener is reported and the others still hear every event', async () => {
  const errors: unknown[] = [];
  const { engine, events } = engineFor({ services: { api: { preferred: [B] }, db: { preferred: [B + 1] } } }, { onListenerError: (e) => errors.push(e) });
  const later: EngineEvent[] = [];
  engine.on(() => { throw new Error('listener broke'); });
  const off = engine.on((e) => later.push(e));
  await engine.allocateAll();
  assert.deepEqual(events.map((e) => e.type === 'assigned' && e.assignment.service), ['api', 'db']);
  assert.deepEqual(later, events);
  assert.equal(errors.length, 2);
  assert.match(String(errors[0]), /listener broke/);
  off();
  await engine.dispose();
  assert.deepEqual(events.slice(2).map((e) => e.type), ['released', 'released']);
  assert.equal(later.length, 2, 'no event after unsubscribing');
  assert.throws(() => engine.on('nope' as unknown as () => void), { name: 'TypeError' });
});
