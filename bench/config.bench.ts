// What a save of manito.json costs the host (issue 13): parse, schema, hand checks and the engine's
// model, for a maximal accepted stack (500 services, each with every list at its bound) and for the
// worst files refused (1 MB of garbage, 20,000-long chains, nesting 30,000 deep). Medians of rounds.
import { CONFIG_BOUNDS } from '../protocol/configBounds';
import { parseConfigText } from '../server/config/loadConfig';
import { buildModel } from '../server/engine/plan/stackModel';

const ROUNDS = Number(process.env.MANITO_BENCH_ROUNDS ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const B = CONFIG_BOUNDS;

function maximal(): string {
  const n = B.maxServices;
  const services: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    services[`service-${i}`] = {
      preferred: Array.from({ length: B.maxPortsPerList }, (_, j) => 1024 + i * B.maxPortsPerList + j),
      conflicts: Array.from({ length: 20 }, (_, j) => `service-${(i + j + 1) % n}`),
      // Chains of exactly the bound, one after another.
      ...(i % B.maxChainLength ? { dependsOn: [`service-${i - 1}`] } : {}),
      command: `node server.js --port \${port} --db \${ports.service-0}`,
      env: Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`VAR_${j}`, `x\${ports.service-${(i + 1) % n}}`])),
      health: { type: 'http', path: '/health', intervalMs: 2000, timeoutMs: 1000 },
    };
  }
  return JSON.stringify({ services }, null, 2);
}

function chain(n: number, key: 'inheritFrom' | 'dependsOn'): string {
  const parts = ['{"services":{"s0":{"preferred":[3000]}'];
  for (let i = 1; i < n; i++) parts.push(`,"s${i}":{"${key}":${key === 'inheritFrom' ? `"s${i - 1}"` : `["s${i - 1}"]`}}`);
  return `${parts.join('')}}}`;
}

const cases: Array<[string, string, boolean]> = [
  ['maximal accepted stack', maximal(), true],
  ['1 MB of garbage', 'x:{]"'.repeat(B.maxFileBytes / 5), false],
  ['20,000-long inheritFrom chain', chain(20_000, 'inheritFrom'), false],
  ['20,000-long dependsOn chain', chain(20_000, 'dependsOn'), false],
  ['nesting 30,000 deep', `{"services":{"a":{"env":${'['.repeat(30_000)}${']'.repeat(30_000)}}}}`, false],
];

for (const [what, text, valid] of cases) {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    const result = parseConfigText(text);
    if (result.stack) buildModel(result.stack);
    times.push(performance.now() - started);
    if (Boolean(result.stack) !== valid) throw new Error(`${what}: expected ${valid ? 'valid' : 'refused'}, got ${JSON.stringify(result.problems.slice(0, 3))}`);
  }
  console.log(`${what.padEnd(32)} ${(text.length / 1024).toFixed(0).padStart(5)} KB  median ${median(times).toFixed(1).padStart(7)} ms  (target: well under 1000 ms)`);
}
