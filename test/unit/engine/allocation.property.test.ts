// Property: for random stacks (random preferred lists, conflicts, inheritance, strictness and
// strategy) on a machine with random ports really occupied, two engines sharing one registry hand
// out distinct ports, never an occupied one, and every port handed out binds on every address.
// One engine checks a port with one dual-stack bind, the other binds each address in turn.
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { test } from 'node:test';
import { STRATEGIES, type ServiceConfig, type StackConfig } from '../../../protocol/config';
import { bindsEverywhere, createPortProbe } from '../../../server/engine/portProbe';
import { close, engineFor, freeRange, listen, tempStateDir } from './engineTestKit';

const CASES = 40;
const SPAN = 40;
const HOSTS = ['127.0.0.1', '0.0.0.0', '::1', '::'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function randomStack(r: () => number, base: number): StackConfig {
  const count = 2 + Math.floor(r() * 6);
  const names = Array.from({ length: count }, (_, i) => `s${i}`);
  const services: Record<string, ServiceConfig> = {};
  names.forEach((name, i) => {
    const roots = names.slice(0, i).filter((n) => !services[n].inheritFrom);
    if (roots.length && r() < 0.2) {
      services[name] = { inheritFrom: roots[Math.floor(r() * roots.length)] };
      return;
    }
    const preferred = [...new Set(Array.from({ length: Math.floor(r() * 4) }, () => base + Math.floor(r() * SPAN)))];
    const conflicts = names.filter((n) => n !== name && r() < 0.2);
    services[name] = { preferred, ...(conflicts.length ? { conflicts } : {}), ...(preferred.length && r() < 0.25 ? { strict: true } : {}) };
  });
  return { strategy: STRATEGIES[Math.floor(r() * 3)], services };
}

test(`random stacks and occupied ports: distinct, free when handed out (${CASES} cases)`, async () => {
  const seed = Number(process.env.MANITO_PROPERTY_SEED ?? Date.now() % 1e9);
  const r = rng(seed);
  for (let c = 0; c < CASES; c++) {
    tempStateDir();
    const base = await freeRange(SPAN);
    const occupied = new Set<number>();
    const servers: net.Server[] = [];
    for (let i = Math.floor(r() * 12); i > 0; i--) {
      const port = base + Math.floor(r() * SPAN);
      if (occupied.has(port)) continue;
      occupied.add(port);
      servers.push(await listen(port, HOSTS[Math.floor(r() * HOSTS.length)]));
    }
    const stacks = [randomStack(r, base), randomStack(r, base)];
    const probes = [createPortProbe({ wildcardOnly: true }), createPortProbe({ wildcardOnly: false })];
    const engines = stacks.map((stack, i) => engineFor(stack, { workspace: `/case${c}/ws${i}`, probe: probes[i] }).engine);
    const context = () => `seed ${seed} case ${c}: ${JSON.stringify({ stacks, occupied: [...occupied] })}`;
    try {
      await Promise.all(engines.map((e) => e.allocateAll()));
      const owner = new Map<number, string>();
      for (const [i, engine] of engines.entries()) {
        for (const [name, config] of Object.entries(stacks[i].services)) {
          const a = engine.get(name);
          if (config.inheritFrom) {
            let root = name;
            while (stacks[i].services[root].inheritFrom) root = stacks[i].services[root].inheritFrom!;
            assert.equal(a?.port, engine.get(root)?.port, `${name} has its root's port; ${context()}`);
            continue;
          }
          if (!a) {
            assert.ok(config.strict, `only a strict service may go without a port (${name}); ${context()}`);
            assert.ok(engine.errorOf(name), context());
            continue;
          }
          assert.ok(!owner.has(a.port), `${a.port} handed to ${owner.get(a.port)} and ${i}:${name}; ${context()}`);
          owner.set(a.port, `${i}:${name}`);
          assert.ok(!occupied.has(a.port), `${a.port} is occupied; ${context()}`);
          if (config.strict) assert.ok(config.preferred!.includes(a.port), `strict ${name} off its list; ${context()}`);
          assert.ok(a.explanation.length > 0);
        }
      }
      for (const port of owner.keys()) assert.ok(await bindsEverywhere(port), `${port} not free; ${context()}`);
    } finally {
      await Promise.all(engines.map((e) => e.dispose()));
      for (const s of servers) await close(s);
    }
  }
});
