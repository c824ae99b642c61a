// Issue 13 item 6: the schema, the validator and the README agree on every bound, all read from
// protocol/configBounds.ts. The schema's numbers and the compiled validator are generated from it
// (scripts/configSchema.mjs); this checks they are current, that each bound is enforced exactly at
// its edge, and that the README's table says the same numbers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import { CONFIG_BOUNDS as B } from '../../../protocol/configBounds';
import { DEFAULT_HOST_PORTS, SERVICE_KINDS, STRATEGIES } from '../../../protocol/config';
import { PORTS_DATA_KEYS } from '../../../protocol/http';
import { shapeProblem } from '../../../server/config/configText';
import { parseConfigText } from '../../../server/config/loadConfig';
import { validateStack } from '../../../server/config/validateStack';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/manito.schema.json'), 'utf8'));
const service = schema.definitions.service;
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the shipped schema and the compiled validator are what the bounds generate', async () => {
  const { generate } = await import('../../../scripts/configSchema.mjs');
  assert.deepEqual(await generate({ check: true }), [], 'run `node scripts/configSchema.mjs` (esbuild.mjs does) and commit the result');
});

test('the schema carries every bound of protocol/configBounds.ts', () => {
  assert.deepEqual([schema.definitions.port.minimum, schema.definitions.port.maximum], [B.port.min, B.port.max]);
  for (const list of [schema.properties.host.properties.ports, service.properties.preferred]) {
    assert.equal(list.maxItems, B.maxPortsPerList);
    assert.deepEqual([list.items.minimum, list.items.maximum], [B.port.min, B.port.max]);
  }
  assert.equal(schema.properties.services.maxProperties, B.maxServices);
  assert.equal(service.properties.conflicts.maxItems, B.maxServices);
  assert.equal(service.properties.dependsOn.maxItems, B.maxServices);
  assert.equal(service.properties.env.maxProperties, B.maxEnvVars);
  for (const key of ['intervalMs', 'timeoutMs'] as const) assert.deepEqual([schema.definitions[key].minimum, schema.definitions[key].maximum], [B[key].min, B[key].max]);
  const http = service.properties.health.oneOf.find((b: { properties: { type: { const: string } } }) => b.properties.type.const === 'http');
  assert.deepEqual([http.properties.expectStatus.minimum, http.properties.expectStatus.maximum], [B.expectStatus.min, B.expectStatus.max]);
});

test('the README\'s table of bounds states the same numbers', () => {
  const section = readme.slice(readme.indexOf('### Rules and bounds'), readme.indexOf('## The host and its API'));
  assert.deepEqual(B.intervalMs, B.timeoutMs, 'the README states one range for both');
  const first = DEFAULT_HOST_PORTS[0];
  const last = DEFAULT_HOST_PORTS[DEFAULT_HOST_PORTS.length - 1];
  for (const row of [
    `| File size | at most ${B.maxFileBytes} bytes;`,
    `| Nesting of objects and lists | at most ${B.maxDepth} levels`,
    `| Values in the file | at most ${B.maxValues} |`,
    `| Entries of one object or list | at most ${B.maxEntries} |`,
    `| Services | at most ${B.maxServices} |`,
    `| \`preferred\`, \`host.ports\` | at most ${B.maxPortsPerList} ports each`,
    `| Ports | ${B.port.min} to ${B.port.max}, and not the host's own (${first}-${last}, and \`host.ports\`) |`,
    `| \`env\` | at most ${B.maxEnvVars} variables per service |`,
    `| \`health.intervalMs\`, \`health.timeoutMs\` | ${B.intervalMs.min} to ${B.intervalMs.max} (one hour) |`,
    `| \`health.expectStatus\` | ${B.expectStatus.min} to ${B.expectStatus.max} |`,
    `| \`inheritFrom\` chains | at most ${B.maxChainLength} links |`,
    `| \`dependsOn\` chains | at most ${B.maxChainLength} services |`,
    `| Problems listed | the first ${B.maxReportedErrors}, then`,
  ]) assert.ok(section.includes(row), `README lacks: ${row}`);
});

const one = (svc: Record<string, unknown>) => ({ services: { a: svc } });
const accepts = (v: unknown, what: string) => assert.deepEqual(validateStack(v), [], what);
const refuses = (v: unknown, what: string, re: RegExp) => {
  const issues = validateStack(v);
  assert.ok(issues.some((i) => re.test(i.message)), `${what}: ${JSON.stringify(issues.map((i) => i.message))}`);
};

test('each value bound is enforced exactly at its edge', () => {
  accepts(one({ preferred: [B.port.min, B.port.max] }), 'ports at the edges');
  refuses(one({ preferred: [B.port.min - 1] }), 'port below', /port number/);
  refuses(one({ preferred: [B.port.max + 1] }), 'port above', /port number/);
  const ports = (n: number) => Array.from({ length: n }, (_, i) => 2000 + i);
  accepts(one({ preferred: ports(B.maxPortsPerList) }), 'a full preferred list');
  refuses(one({ preferred: ports(B.maxPortsPerList + 1) }), 'one port too many', new RegExp(`at most ${B.maxPortsPerList}`));
  refuses({ host: { ports: ports(B.maxPortsPerList + 1) }, services: {} }, 'host.ports too long', new RegExp(`at most ${B.maxPortsPerList}`));
  const env = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']));
  accepts(one({ env: env(B.maxEnvVars) }), 'a full env');
  refuses(one({ env: env(B.maxEnvVars + 1) }), 'one variable too many', new RegExp(`at most ${B.maxEnvVars}`));
  for (const key of ['intervalMs', 'timeoutMs'] as const) {
    accepts(one({ health: { type: 'tcp', [key]: B[key].min } }), `${key} at its minimum`);
    accepts(one({ health: { type: 'tcp', [key]: B[key].max } }), `${key} at its maximum`);
    refuses(one({ health: { type: 'tcp', [key]: B[key].min - 1 } }), `${key} below`, new RegExp(`${key} must be from ${B[key].min} to ${B[key].max}`));
    refuses(one({ health: { type: 'tcp', [key]: B[key].max + 1 } }), `${key} above`, new RegExp(`${key} must be from`));
    refuses(one({ health: { type: 'tcp', [key]: 3_000_000_000 } }), `${key} past Node's timers`, /got 3000000000/);
  }
  accepts(one({ health: { type: 'http', expectStatus: B.expectStatus.max } }), 'expectStatus at its maximum');
  refuses(one({ health: { type: 'http', expectStatus: B.expectStatus.max + 1 } }), 'expectStatus above', /expectStatus must be from/);
  const services = (n: number) => ({ services: Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, {}])) });
  accepts(services(B.maxServices), 'the most services');
  refuses(services(B.maxServices + 1), 'one service too many', new RegExp(`at most ${B.maxServices}`));
});

test('each shape bound of the text is enforced exactly at its edge, and reported at its place', () => {
  const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  assert.equal(shapeProblem(nest(B.maxDepth)), undefined);
  assert.deepEqual(shapeProblem(nest(B.maxDepth + 1)), { offset: B.maxDepth, message: `Nesting deeper than ${B.maxDepth} levels (a manito.json needs 5)` });
  const list = (n: number) => `[${Array(n).fill(0).join(',')}]`;
  assert.equal(shapeProblem(list(B.maxEntries)), undefined);
  assert.match(shapeProblem(list(B.maxEntries + 1))!.message, new RegExp(`More than ${B.maxEntries} entries`));
  // Exactly n values: the outer list, lists of 450 zeros (451 values each), then single zeros.
  const values = (n: number) => {
    const parts: string[] = [];
    let left = n - 1;
    for (; left >= 451; left -= 451) parts.push(list(450));
    for (; left > 0; left--) parts.push('0');
    return `[${parts.join(',')}]`;
  };
  assert.equal(shapeProblem(values(B.maxValues)), undefined);
  assert.match(shapeProblem(values(B.maxValues + 1))!.message, new RegExp(`More than ${B.maxValues} values`));
  // Strings and comments hold brackets that are not nesting.
  assert.equal(shapeProblem(`{"a": "${'['.repeat(1000)}" /* ${'{'.repeat(1000)} */}`), undefined);

  const exactly = (bytes: number) => { const base = '{"services":{}}'; return base + ' '.repeat(bytes - base.length); };
  assert.ok(parseConfigText(exactly(B.maxFileBytes)).stack, 'a file of exactly the bound is read');
  const tooBig = parseConfigText(exactly(B.maxFileBytes + 1));
  assert.deepEqual(tooBig.problems.map((p) => [p.message, p.line, p.column]), [[`manito.json is ${B.maxFileBytes + 1} bytes; at most ${B.maxFileBytes} are read`, 1, 1]]);

  const errors = parseConfigText(`{"services":{${Array.from({ length: 80 }, (_, i) => `"s${i}":{"preferred":[0]}`).join(',\n')}}}`);
  assert.equal(errors.problems.length, B.maxReportedErrors + 1);
  assert.equal(errors.problems[B.maxReportedErrors]!.message, `and ${80 - B.maxReportedErrors} more problems`);
  assert.equal(errors.problems[B.maxReportedErrors]!.line, B.maxReportedErrors + 1, 'placed at the first problem not listed');
});

test('the schema\'s enums are protocol\'s, every key has hover text, and the README\'s stack is valid', () => {
  assert.deepEqual(schema.properties.strategy.enum, [...STRATEGIES]);
  assert.deepEqual(service.properties.kind.enum, [...SERVICE_KINDS]);
  for (const key of PORTS_DATA_KEYS) assert.ok(schema.properties.services.propertyNames.not.enum.includes(key), key);
  const missing: string[] = [];
  const check = (where: string, properties: Record<string, { $ref?: string; description?: string; markdownDescription?: string }>) => {
    for (const [key, node] of Object.entries(properties)) {
      const n = node.$ref ? schema.definitions[node.$ref.split('/').pop()!] : node;
      if (typeof n.description !== 'string' || typeof n.markdownDescription !== 'string') missing.push(`${where}.${key}`);
    }
  };
  check('root', schema.properties);
  check('host', schema.properties.host.properties);
  check('service', service.properties);
  assert.deepEqual(missing, []);
  const block = /## manito\.json[\s\S]*?```jsonc\n([\s\S]*?)```/.exec(readme)![1]!;
  const stack = parseJsonc(block, [], { allowTrailingComma: true });
  assert.deepEqual(validateStack(stack), []);
});
