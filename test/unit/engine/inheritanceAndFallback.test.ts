// Inheritance that follows its parent when the parent moves, and the conflict-aware fallback that
// never lands a service on the preferred ports of a service it conflicts with.
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { beforeEach, test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import { close, engineFor, freeRange, listen, ports, tempStateDir } from './engineTestKit';

let B = 0;
beforeEach(async () => {
  tempStateDir();
  B = await freeRange(20);
});

test('an inheritor has its parent\'s port and follows it when the parent moves', async () => {
  const stack: StackConfig = { services: { server: { preferred: [B, B + 1] }, websocket: { inheritFrom: 'server' }, hub: { inheritFrom: 'websocket' } } };
  const { engine, events } = engineFor(stack);
  await engine.allocateAll();
  assert.deepEqual(ports(engine), { server: B, websocket: B, hub: B });
  assert.equal(engine.get('websocket')!.reason, 'inherited');
  assert.equal(engine.get('websocket')!.explanation, `inherits server's port ${B}`);
  events.length = 0;
  // A strict newcomer needs B: minimal moves the (stopped, not strict) server, and both inheritors follow.
  await engine.reconfigure({ services: { ...stack.services, admin: { preferred: [B], strict: true } } });
  assert.deepEqual(ports(engine), { server: B + 1, websocket: B + 1, hub: B + 1, admin: B });
  const moved = events.filter((e) => e.type === 'moved').map((e) => e.type === 'moved' && [e.assignment.service, e.from, e.assignment.port]);
  assert.deepEqual(moved, [['server', B, B + 1], ['websocket', B, B + 1], ['hub', B, B + 1]]);
  assert.equal(engine.get('websocket')!.explanation, `follows server from ${B} to ${B + 1}`);
  await engine.dispose();
});

test('an inheritor follows its parent when self-healing moves the parent', async () => {
  const { engine } = engineFor({ services: { server: { preferred: [B, B + 1] }, websocket: { inheritFrom: 'server' } } });
  await engine.allocateAll();
  const thief = await listen(B, '127.0.0.1');
  try {
    const healed = await engine.heal();
    assert.deepEqual(healed.map((a) => [a.service, a.port]), [['server', B + 1], ['websocket', B + 1]]);
  } finally {
    await close(thief);
    await engine.dispose();
  }
});

test('fallback scans upward from the last preferred port and skips a conflicting service\'s ports', async () => {
  const held: net.Server[] = [];
  for (const p of [B, B + 1, B + 2, B + 3]) held.push(await listen(p, '127.0.0.1'));
  try {
    const services = {
      server: { preferred: [B + 4, B + 5, B + 6], conflicts: ['client'] },
      client: { preferred: [B, B + 1, B + 2] },
    };
    // Only the server names the conflict: it still keeps the client off the server's ports.
    const { engine } = engineFor({ services });
    await engine.allocateAll();
    assert.deepEqual(ports(engine), { server: B + 4, client: B + 7 });
    const client = engine.get('client')!;
    assert.equal(client.reason, 'fallback');
    assert.match(client.explanation, new RegExp(`^${B} is held by pid ${process.pid} .*, ${B + 1} by pid .*; fell back to ${B + 7}, skipping the preferred ports of server$`));
    assert.equal(client.holder?.pid, process.pid);
    await engine.dispose();

    // Without the conflict the client lands on the server's spare preferred port.
    const loose = engineFor({ services: { server: { preferred: [B + 4, B + 5, B + 6] }, client: { preferred: [B, B + 1, B + 2] } } });
    await loose.engine.allocateAll();
    assert.deepEqual(ports(loose.engine), { server: B + 4, client: B + 5 });
    await loose.engine.dispose();
  } finally {
    for (const s of held) await close(s);
  }
});

test('a service without preferred ports gets a fallback port and says so', async () => {
  const { engine } = engineFor({ services: { worker: {} } });
  await engine.allocateAll();
  const a = engine.get('worker')!;
  assert.equal(a.reason, 'fallback');
  assert.ok(a.port >= 8000);
  assert.equal(a.explanation, `worker has no preferred port; assigned ${a.port}`);
  await engine.dispose();
});

test('only the first preferred port is "preferred"; a later one is a fallback that says who held the first (the seed\'s monitoring on 9091)', async () => {
  const stack: StackConfig = { services: { server: { preferred: [B] }, monitoring: { preferred: [B + 1, B + 2, B + 3] } } };
  const prometheus = await listen(B + 1, '127.0.0.1');
  try {
    const { engine } = engineFor(stack);
    await engine.allocateAll();
    const server = engine.get('server')!;
    assert.deepEqual([server.port, server.reason, server.explanation], [B, 'preferred', `${B} is server's first preferred port`]);
    const monitoring = engine.get('monitoring')!;
    assert.deepEqual([monitoring.port, monitoring.reason], [B + 2, 'fallback']);
    assert.match(monitoring.explanation, new RegExp(`^${B + 1} is held by pid ${process.pid} \\(.+\\), assigned ${B + 2}$`));
    assert.equal(monitoring.holder?.pid, process.pid);
    await engine.dispose();
  } finally {
    await close(prometheus);
  }
});
