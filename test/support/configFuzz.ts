// A seeded mutation fuzzer for manito.json: from a valid stack that uses every key, it makes broken
// texts (truncations, byte flips, type swaps at every field, __proto__/constructor keys, deep
// nesting, giant files, long chains). The same seed gives the same cases, so a failure replays.

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.MANITO_FUZZ_SEED);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}

export const BASE_STACK = {
  $schema: './schemas/manito.schema.json',
  strategy: 'minimal',
  environment: 'development',
  host: { ports: [41760] },
  services: {
    server: {
      preferred: [3000, 3001], conflicts: ['client'], kind: 'http', description: 'API', command: 'node server.js ${port}',
      cwd: 'server', env: { REDIS_URL: 'redis://127.0.0.1:${ports.redis}' }, portEnv: 'PORT', dependsOn: ['redis'],
      health: { type: 'http', path: '/health', expectStatus: 200, intervalMs: 2000, timeoutMs: 1000 },
    },
    client: { preferred: [5173], conflicts: ['server'], kind: 'vite', dependsOn: ['server'], health: { type: 'auto', intervalMs: 500 } },
    websocket: { inheritFrom: 'server', kind: 'websocket', strict: false },
    redis: { preferred: [6379], strict: true, kind: 'redis', health: { type: 'command', command: 'true', timeoutMs: 500 } },
  },
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const SWAPS: Json[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 3_000_000_000, 65536, '', 'x', '../../..', '${ports.nope}', [], [{}], [null], {}, { __proto__: 1 } as unknown as Json, [1, 1]];

/** Every path to a value of `value`, as segments. */
export function paths(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

export function setAt(root: Json, at: Array<string | number>, value: Json): Json {
  if (at.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const seg of at.slice(0, -1)) node = node[seg] as Record<string | number, Json>;
  node[at[at.length - 1]!] = value;
  return copy;
}

function chain(n: number, key: 'inheritFrom' | 'dependsOn'): string {
  const parts = ['{"services":{"s0":{"preferred":[3000]}'];
  for (let i = 1; i < n; i++) parts.push(`,"s${i}":{"${key}":${key === 'inheritFrom' ? `"s${i - 1}"` : `["s${i - 1}"]`}}`);
  return `${parts.join('')}}}`;
}

export interface FuzzCase { kind: string; text: string }

/** The i-th case for a seed: mostly small mutations, now and then one of the large shapes. */
export function fuzzCase(random: () => number, base: Json = BASE_STACK as unknown as Json): FuzzCase {
  const text = JSON.stringify(base, null, 2);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const roll = random();
  if (roll < 0.2) return { kind: 'truncate', text: text.slice(0, Math.floor(random() * text.length)) };
  if (roll < 0.35) {
    const bytes = Buffer.from(text);
    for (let n = 1 + Math.floor(random() * 4); n > 0; n--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    return { kind: 'byte flips', text: bytes.toString('latin1') };
  }
  if (roll < 0.75) {
    const at = pick(paths(base));
    return { kind: `swap at ${at.join('.') || 'root'}`, text: JSON.stringify(setAt(base, at, pick(SWAPS))) };
  }
  if (roll < 0.85) {
    const at = pick(paths(base).filter((p) => p.length > 0 && typeof p[p.length - 1] === 'string'));
    const key = pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a b', 'a/b', '']);
    const renamed = text.replace(`"${String(at[at.length - 1])}":`, `${JSON.stringify(key)}:`);
    return { kind: `key ${key}`, text: renamed };
  }
  const big = random();
  if (big < 0.25) {
    const depth = pick([65, 1000, 30_000]);
    return { kind: `nesting ${depth}`, text: `{"services":{"a":{"env":${'['.repeat(depth)}${']'.repeat(depth)}}}}` };
  }
  if (big < 0.5) return { kind: 'long inheritFrom chain', text: chain(pick([33, 501, 20_000]), 'inheritFrom') };
  if (big < 0.7) return { kind: 'long dependsOn chain', text: chain(pick([33, 501, 20_000]), 'dependsOn') };
  if (big < 0.85) {
    const size = pick([1_000_001, 200_000]);
    const garbage = Array.from({ length: 64 }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
    return { kind: `garbage ${size}`, text: garbage.repeat(Math.ceil(size / 64)).slice(0, size) };
  }
  const n = pick([500, 501, 5000]);
  return { kind: `${n} services`, text: JSON.stringify({ services: Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, { preferred: [1024 + i], dependsOn: [0, {}, 's0'] }])) }) };
}
