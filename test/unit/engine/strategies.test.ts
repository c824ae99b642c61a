// Each strategy, with and without `strict`, when a preferred port is held by another service of
// the same stack; plus a strict service whose preferred port a real foreign process holds.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { StackConfig, Strategy } from '../../../protocol/config';
import { engineFor, foreignListener, freeRange, ports, tempStateDir } from './engineTestKit';

let B = 0;
beforeEach(async () => {
  tempStateDir();
  B = await freeRange(12);
});

function contended(strategy: Strategy, strict: boolean): StackConfig {
  return {
    strategy,
    services: {
      a: { preferred: [B, B + 1] },
      b: { preferred: [B, B + 2], strict },
    },
  };
}

test('minimal, not strict: the requester takes its next free port, the holder stays', async () => {
  const { engine } = engineFor(contended('minimal', false));
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { a: B, b: B + 2 });
  assert.equal(engine.get('b')!.reason, 'fallback', 'a later port of the preferred list is a fallback');
  assert.equal(engine.get('b')!.explanation, `${B} is held by a, assigned ${B + 2}`);
  await engine.dispose();
});

test('minimal, strict: the holder moves only when the requester has no free preferred port', async () => {
  const stack: StackConfig = { strategy: 'minimal', services: { a: { preferred: [B, B + 1] }, b: { preferred: [B], strict: true } } };
  const { engine } = engineFor(stack);
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { a: B + 1, b: B });
  assert.equal(engine.get('a')!.reason, 'moved');
  assert.match(engine.get('a')!.explanation, new RegExp(`b is strict and needed ${B}; a moved to ${B + 1}`));
  await engine.dispose();
});

test('minimal, strict: a strict holder is never moved, and the failure names it', async () => {
  const stack: StackConfig = { services: { a: { preferred: [B], strict: true }, b: { preferred: [B], strict: true } } };
  const { engine, events } = engineFor(stack);
  await engine.allocateAll();
  assert.equal(engine.get('a')!.port, B);
  assert.equal(engine.get('b'), undefined);
  assert.equal(engine.errorOf('b'), `b is strict and none of its preferred ports is free: ${B} is held by a`);
  assert.ok(events.some((e) => e.type === 'allocationFailed' && e.service === 'b'));
  await engine.dispose();
});

test('minimal, strict: a stopped holder is moved before a running one', async () => {
  const base: StackConfig = { strategy: 'minimal', services: { run: { preferred: [B, B + 5] }, idle: { preferred: [B + 1, B + 6] } } };
  const { engine, events } = engineFor(base);
  await engine.allocateAll();
  engine.setRunning('run', true);
  await engine.reconfigure({ strategy: 'minimal', services: { ...base.services, c: { preferred: [B, B + 1], strict: true } } });
  assert.deepEqual(ports(engine), { run: B, idle: B + 6, c: B + 1 });
  const moved = events.find((e) => e.type === 'moved');
  assert.ok(moved && moved.type === 'moved' && moved.assignment.service === 'idle' && moved.from === B + 1);
  await engine.dispose();
});

test('aggressive, not strict: the requester takes its first preferred port, the holder moves', async () => {
  const { engine } = engineFor(contended('aggressive', false));
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { a: B + 1, b: B });
  assert.equal(engine.get('a')!.reason, 'moved');
  assert.match(engine.get('b')!.explanation, new RegExp(`took ${B} from a, which moved to ${B + 1} \\(aggressive strategy\\)`));
  await engine.dispose();
});

test('aggressive, strict: same, and a strict holder with nowhere to go keeps its port', async () => {
  const { engine } = engineFor(contended('aggressive', true));
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { a: B + 1, b: B });
  await engine.dispose();
  const stuck = engineFor({ strategy: 'aggressive', services: { a: { preferred: [B], strict: true }, b: { preferred: [B, B + 2] } } });
  await stuck.engine.allocateAll();
  assert.deepEqual(ports(stuck.engine), { a: B, b: B + 2 });
  await stuck.engine.dispose();
});

test('conservative, not strict: nothing with a port moves; the requester falls back', async () => {
  const stack: StackConfig = { strategy: 'conservative', services: { a: { preferred: [B] }, b: { preferred: [B] } } };
  const { engine } = engineFor(stack);
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { a: B, b: B + 1 });
  assert.equal(engine.get('b')!.reason, 'fallback');
  assert.equal(engine.get('b')!.explanation, `${B} is held by a; fell back to ${B + 1}`);
  await engine.dispose();
});

test('conservative, strict: the requester fails with an error naming the holder', async () => {
  const { engine } = engineFor({ strategy: 'conservative', services: { a: { preferred: [B, B + 1] }, b: { preferred: [B], strict: true } } });
  await engine.allocateAll();
  assert.equal(engine.get('a')!.port, B);
  assert.equal(engine.get('b'), undefined);
  assert.equal(engine.errorOf('b'), `b is strict and none of its preferred ports is free: ${B} is held by a`);
  await engine.dispose();
});

test('strict against a foreign process: fails naming its pid and command line', async () => {
  const holder = await foreignListener(B);
  try {
    for (const strategy of ['minimal', 'aggressive', 'conservative'] as const) {
      const { engine } = engineFor({ strategy, services: { api: { preferred: [B], strict: true } } });
      await engine.allocateAll();
      assert.equal(engine.get('api'), undefined);
      assert.match(engine.errorOf('api')!, new RegExp(`api is strict and none of its preferred ports is free: ${B} is held by pid ${holder.pid} \\(.*node`));
      await engine.dispose();
    }
  } finally {
    await holder.stop();
  }
});
