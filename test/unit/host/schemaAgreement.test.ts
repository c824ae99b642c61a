// The shipped schema (squiggles and hover docs in manito.json) and validateStack (what the host
// enforces) must not drift: same keys, same enums, and the same verdict on every config below.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { DEFAULT_STACK, SERVICE_KINDS, STRATEGIES } from '../../../protocol/config';
import { PORTS_DATA_KEYS } from '../../../protocol/http';
import { HEALTH_KEYS, HOST_KEYS, ROOT_KEYS, SERVICE_KEYS, validateStack } from '../../../server/config/validateStack';
import { inferFromFiles, inferStack } from '../../../server/infer/inferStack';
import type { Finding } from '../../../server/infer/portScan';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Parsed JSON: the cases below put a wrong type anywhere. */
type Json = { [key: string]: any };
type SchemaNode = Json;

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'manito.schema.json'), 'utf8')) as SchemaNode;
// Strict: a misspelt keyword is an error, not a silently ignored annotation. The vocabulary is the
// annotations VS Code's JSON language service reads. strictRequired is off because the if/then
// rules name keys declared by the service object around them.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
ajv.addVocabulary(['markdownDescription', 'markdownEnumDescriptions', 'patternErrorMessage', 'errorMessage']);
const schemaAccepts = ajv.compile(schema);

function verdicts(config: unknown): { validator: string[]; schema: string[] } {
  schemaAccepts(config);
  return {
    validator: validateStack(config).map((i) => `${i.path}: ${i.message}`),
    schema: (schemaAccepts.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`),
  };
}

const show = (config: unknown, v: { validator: string[]; schema: string[] }) =>
  `config: ${JSON.stringify(config)}\nvalidator: ${JSON.stringify(v.validator, null, 2)}\nschema: ${JSON.stringify(v.schema, null, 2)}`;

/** Follows local `#/definitions/...` references. */
function resolve(node: SchemaNode): SchemaNode {
  let n = node;
  while (typeof n.$ref === 'string') {
    const m = /^#\/definitions\/([\w-]+)$/.exec(n.$ref);
    assert.ok(m, `only local definitions are referenced, got ${n.$ref}`);
    n = schema.definitions[m[1]] as SchemaNode;
    assert.ok(n, `${node.$ref} is not defined`);
  }
  return n;
}

const hostSchema = () => resolve(schema.properties.host);
const serviceSchema = () => resolve(schema.properties.services.additionalProperties);
function healthSchemas(): Map<string, SchemaNode> {
  const branches = (serviceSchema().properties.health.oneOf as SchemaNode[]).map(resolve);
  return new Map(branches.map((b) => [String(resolve(b.properties.type).const), b]));
}

const sorted = (keys: Iterable<string>) => [...keys].sort();

// The key sets and enums are the validator's

test('the schema declares exactly the validator\'s root, host, service and health keys', () => {
  assert.deepEqual(sorted(Object.keys(schema.properties)), sorted(ROOT_KEYS), 'root keys');
  assert.deepEqual(sorted(Object.keys(hostSchema().properties)), sorted(HOST_KEYS), 'host keys');
  assert.deepEqual(sorted(Object.keys(serviceSchema().properties)), sorted(SERVICE_KEYS), 'service keys');
  const health = healthSchemas();
  assert.deepEqual(sorted(health.keys()), sorted(Object.keys(HEALTH_KEYS)), 'health check types');
  for (const [type, branch] of health) {
    assert.deepEqual(sorted(Object.keys(branch.properties)), sorted(HEALTH_KEYS[type]), `keys of a ${type} health check`);
  }
});

test('every object of the schema rejects keys it does not declare, as the validator does', () => {
  assert.equal(schema.additionalProperties, false, 'root');
  assert.equal(hostSchema().additionalProperties, false, 'host');
  assert.equal(serviceSchema().additionalProperties, false, 'service');
  for (const [type, branch] of healthSchemas()) assert.equal(branch.additionalProperties, false, `${type} health check`);
});

test('the schema\'s enums are STRATEGIES, SERVICE_KINDS and the reserved /api/ports keys', () => {
  assert.deepEqual(schema.properties.strategy.enum, [...STRATEGIES]);
  assert.deepEqual(serviceSchema().properties.kind.enum, [...SERVICE_KINDS]);
  assert.deepEqual(schema.properties.services.propertyNames.not.enum, [...PORTS_DATA_KEYS]);
  // Hover docs for each value, in the same order as the values.
  assert.equal(schema.properties.strategy.markdownEnumDescriptions.length, STRATEGIES.length);
  assert.equal(serviceSchema().properties.kind.markdownEnumDescriptions.length, SERVICE_KINDS.length);
});

test('every key has a description and a markdownDescription for hovers in manito.json', () => {
  const missing: string[] = [];
  const check = (where: string, properties: Record<string, SchemaNode>) => {
    for (const [key, node] of Object.entries(properties)) {
      // A description beside a $ref is not seen by every reader: it belongs on the definition.
      const n = node.$ref ? (assert.equal(Object.keys(node).length, 1, `${where}.${key}: nothing beside $ref`), resolve(node)) : node;
      if (typeof n.description !== 'string' || typeof n.markdownDescription !== 'string') missing.push(`${where}.${key}`);
    }
  };
  check('root', schema.properties);
  check('host', hostSchema().properties);
  check('service', serviceSchema().properties);
  for (const [type, branch] of healthSchemas()) check(`health(${type})`, branch.properties);
  assert.deepEqual(missing, []);
});

// Every key the validator allows, the schema allows with a valid value

/** For each root key, a valid stack that has it. */
const ROOT_SAMPLES: Record<string, Json> = {
  $schema: { $schema: 'https://example.invalid/manito.schema.json', services: {} },
  strategy: { strategy: 'conservative', services: {} },
  environment: { environment: 'staging', services: {} },
  host: { host: { ports: [41730, 41731] }, services: {} },
  services: { services: { api: { preferred: [3000] } } },
};

/** For each service key, a service that has it (with what it needs), beside a service named db. */
const SERVICE_SAMPLES: Record<string, Json> = {
  preferred: { preferred: [3000, 3001] },
  conflicts: { conflicts: ['db'] },
  inheritFrom: { inheritFrom: 'db' },
  strict: { strict: true, preferred: [3000] },
  kind: { kind: 'prometheus' },
  description: { description: 'The API' },
  command: { command: 'node server.js --port ${port}' },
  cwd: { cwd: 'packages/api' },
  env: { env: { DB_URL: 'postgres://127.0.0.1:${ports.db}/app' } },
  portEnv: { portEnv: 'VITE_PORT' },
  dependsOn: { dependsOn: ['db'] },
  health: { health: { type: 'tcp' } },
};

/** For each health check type, a check with every key it may have. */
const HEALTH_SAMPLES: Record<string, Json> = {
  tcp: { type: 'tcp', intervalMs: 500, timeoutMs: 200 },
  http: { type: 'http', path: '/healthz', expectStatus: 204, intervalMs: 500, timeoutMs: 200 },
  command: { type: 'command', command: 'pg_isready -p "$PORT"', intervalMs: 5000, timeoutMs: 3000 },
  auto: { type: 'auto', intervalMs: 500, timeoutMs: 200 },
};

function assertBothAccept(config: unknown, what: string): void {
  const v = verdicts(config);
  assert.ok(v.validator.length === 0 && v.schema.length === 0, `${what}: both must accept\n${show(config, v)}`);
}

for (const key of ROOT_KEYS) {
  test(`root key "${key}" with a valid value: both accept`, () => {
    const sample = ROOT_SAMPLES[key];
    assert.ok(sample && key in sample, `add a sample stack with "${key}" to ROOT_SAMPLES`);
    assertBothAccept(sample, key);
  });
}

for (const key of SERVICE_KEYS) {
  test(`service key "${key}" with a valid value: both accept`, () => {
    const sample = SERVICE_SAMPLES[key];
    assert.ok(sample && key in sample, `add a sample service with "${key}" to SERVICE_SAMPLES`);
    assertBothAccept({ services: { api: sample, db: { preferred: [5432] } } }, key);
  });
}

for (const type of Object.keys(HEALTH_KEYS)) {
  test(`a ${type} health check with every key it may have: both accept`, () => {
    const sample = HEALTH_SAMPLES[type];
    assert.ok(sample, `add a sample ${type} health check to HEALTH_SAMPLES`);
    assert.deepEqual(sorted(Object.keys(sample)), sorted(HEALTH_KEYS[type]), `the ${type} sample has every key`);
    assertBothAccept({ services: { api: { preferred: [3000], health: sample } } }, `${type} health check`);
  });
}

// Every valid config in the repository

function readJsonc(text: string, where: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  assert.deepEqual(errors.map((e) => `${printParseErrorCode(e.error)} at ${e.offset}`), [], `${where} parses`);
  return value;
}

/** The README's fenced jsonc/json blocks that are whole stacks (they have "services"). */
function readmeStacks(): Array<[string, unknown]> {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out: Array<[string, unknown]> = [];
  for (const m of text.matchAll(/```jsonc?\n([\s\S]*?)```/g)) {
    if (!/^\s*\{[\s\S]*"services"\s*:/.test(m[1])) continue;
    const line = text.slice(0, m.index).split('\n').length;
    out.push([`README.md:${line}`, readJsonc(m[1], `README.md:${line}`)]);
  }
  return out;
}

const VALID_CORPUS: Array<[string, () => unknown]> = [
  ['DEFAULT_STACK (protocol/config.ts), also what Create Config writes', () => DEFAULT_STACK],
  ['examples/fullstack/manito.json', () => readJsonc(fs.readFileSync(path.join(ROOT, 'examples', 'fullstack', 'manito.json'), 'utf8'), 'examples/fullstack/manito.json')],
  ['manito scan proposal for test/fixtures/scan-project', () => { const r = inferStack(path.join(ROOT, 'test', 'fixtures', 'scan-project')); assert.ok(r.found); return r.stack; }],
  // The stacks the host and editor tiers write, with their free ports made literal.
  ['test/host/api.test.ts', () => ({
    environment: 'development',
    host: { ports: [41999] },
    services: {
      server: { preferred: [3000], conflicts: ['client'], kind: 'http' },
      client: { preferred: [5173], conflicts: ['server'], kind: 'vite' },
      websocket: { inheritFrom: 'server', kind: 'websocket' },
    },
  })],
  ['test/host/handover.test.ts', () => ({
    host: { ports: [41999] },
    services: {
      api: {
        preferred: [3000, 3001], kind: 'http',
        command: `node -e "require('http').createServer((q,r)=>r.end('ok')).listen(+process.env.PORT,'127.0.0.1')"`,
        health: { type: 'http', path: '/', expectStatus: 200, intervalMs: 200 },
      },
      live: { kind: 'websocket', inheritFrom: 'api' },
    },
  })],
  ['test/editor/dashboard.test.ts', () => ({
    host: { ports: [41999] },
    services: {
      web: {
        preferred: [3000], kind: 'http', description: 'Started from the dashboard',
        command: `node -e "require('http').createServer((q, r) => r.end('ok')).listen(process.env.PORT, '127.0.0.1')"`,
        health: { type: 'http', path: '/', intervalMs: 500, timeoutMs: 500 },
      },
      cache: { preferred: [6379], kind: 'redis', description: 'Not running', health: { type: 'tcp', intervalMs: 500 } },
    },
  })],
  ['test/editor/extensionApi.test.ts', () => ({
    services: {
      web: { kind: 'http', preferred: [3000], command: 'node web.js', health: { type: 'http', path: '/env' } },
      api: { kind: 'http', inheritFrom: 'web' },
    },
  })],
  ['test/unit/launch/launchEnv.test.ts', () => ({
    services: {
      server: { command: 'node index.js', cwd: 'api' },
      client: { command: 'vite --port ${port} --strictPort # $PORT ${HOME}', portEnv: 'VITE_PORT', env: { API: 'http://localhost:${ports.server}', SELF: '${port}' } },
    },
  })],
  // Edges both sides accept on purpose.
  ['no services at all', () => ({ services: {} })],
  ['empty preferred on a service that is not strict', () => ({ services: { a: { preferred: [] } } })],
  ['strict: false beside inheritFrom', () => ({ services: { a: { preferred: [3000] }, b: { inheritFrom: 'a', strict: false } } })],
  ['the same name twice in conflicts and dependsOn', () => ({ services: { a: { preferred: [3000] }, b: { conflicts: ['a', 'a'], dependsOn: ['a', 'a'] } } })],
  ['ports 1 and 65535, intervalMs and timeoutMs of 1', () => ({
    host: { ports: [65535] },
    services: { a: { preferred: [1, 65535], health: { type: 'tcp', intervalMs: 1, timeoutMs: 1 } } },
  })],
  ['names that only look reserved, or are not identifiers', () => ({ services: { Environment: {}, url: {}, 'api-gw': {}, 'my service': {}, ' padded ': {} } })],
  ['an empty service command and an empty env', () => ({ services: { a: { command: '', env: {} } } })],
  ['http health without path or status; expectStatus 100 and 599', () => ({
    services: { a: { health: { type: 'http' } }, b: { health: { type: 'http', expectStatus: 100 } }, c: { health: { type: 'http', expectStatus: 599 } } },
  })],
];

for (const [source, load] of [...VALID_CORPUS, ...readmeStacks().map(([where, v]): [string, () => unknown] => [where, () => v])]) {
  test(`valid: ${source}: both accept`, () => {
    const config = load();
    assert.ok(config && typeof config === 'object', `${source} loads`);
    assertBothAccept(JSON.parse(JSON.stringify(config)), source);
  });
}

test('the README has at least one whole stack to check', () => {
  assert.ok(readmeStacks().length >= 1);
});

// One broken config per rule: both reject

/** Valid, and uses every key, so each case below breaks exactly one rule. */
const BASE: Json = {
  $schema: './schemas/manito.schema.json',
  strategy: 'minimal',
  environment: 'development',
  host: { ports: [41730, 41731] },
  services: {
    server: {
      preferred: [3000, 3001], conflicts: ['client'], kind: 'http', description: 'API', command: 'node server.js',
      cwd: 'server', env: { REDIS_URL: 'redis://127.0.0.1:${ports.redis}' }, portEnv: 'PORT', dependsOn: ['redis'],
      health: { type: 'http', path: '/health', expectStatus: 200, intervalMs: 2000, timeoutMs: 1000 },
    },
    client: { preferred: [5173], conflicts: ['server'], kind: 'vite', dependsOn: ['server'], health: { type: 'auto', intervalMs: 500 } },
    websocket: { inheritFrom: 'server', kind: 'websocket', strict: false },
    redis: { preferred: [6379], strict: true, kind: 'redis', health: { type: 'command', command: 'redis-cli -p "$PORT" ping', timeoutMs: 500 } },
    database: { preferred: [5432], kind: 'postgres', health: { type: 'tcp', intervalMs: 1000 } },
  },
};

test('the base of the broken configs is valid on both sides', () => assertBothAccept(BASE, 'BASE'));

interface Broken {
  rule: string;
  /** The path of the validator's issue for this rule, as StackIssue.path prints it. */
  at: string;
  /** Edits a copy of BASE; a returned value replaces the whole config. */
  edit: (c: Json) => unknown;
}

/** Sets `target` (a dotted path into BASE) to `value`; the validator's issue is at `at`. */
const set = (target: string, value: unknown, rule: string, at = target): Broken => ({
  rule, at, edit: (c) => {
    const keys = target.split('.');
    const last = keys.pop()!;
    let o = c;
    for (const k of keys) o = o[k];
    o[last] = value;
  },
});

const BOTH_REJECT: Broken[] = [
  // The stack itself
  { rule: 'the stack is an array', at: '', edit: () => [] },
  { rule: 'the stack is null', at: '', edit: () => null },
  { rule: 'the stack is a string', at: '', edit: () => 'services' },
  { rule: 'unknown root key', at: 'colour', edit: (c) => { c.colour = 'red'; } },
  { rule: 'root key in the wrong case', at: 'Services', edit: (c) => { c.Services = {}; } },
  set('strategy', 'greedy', 'strategy not one of STRATEGIES'),
  set('strategy', 'Minimal', 'strategy in the wrong case'),
  set('strategy', 1, 'strategy not a string'),
  set('strategy', null, 'strategy null'),
  set('environment', 1, 'environment not a string'),
  set('$schema', true, '$schema not a string'),
  // host
  set('host', [41730], 'host not an object'),
  { rule: 'unknown key in host', at: 'host.port', edit: (c) => { c.host.port = 41730; } },
  set('host.ports', 41730, 'host.ports not an array'),
  { rule: 'host.ports with port 0', at: 'host.ports[0]', edit: (c) => { c.host.ports = [0]; } },
  { rule: 'host.ports with port 70000', at: 'host.ports[1]', edit: (c) => { c.host.ports = [41730, 70000]; } },
  { rule: 'host.ports with a string', at: 'host.ports[0]', edit: (c) => { c.host.ports = ['41730']; } },
  { rule: 'host.ports with a duplicate', at: 'host.ports[1]', edit: (c) => { c.host.ports = [41730, 41730]; } },
  // services
  { rule: 'services missing', at: 'services', edit: (c) => { delete c.services; } },
  set('services', [], 'services an array'),
  set('services', 'server', 'services a string'),
  { rule: 'empty service name', at: 'services[""]', edit: (c) => { c.services[''] = {}; } },
  { rule: 'blank service name', at: 'services[" \\t"]', edit: (c) => { c.services[' \t'] = {}; } },
  ...PORTS_DATA_KEYS.map((name): Broken => ({ rule: `reserved service name "${name}"`, at: `services.${name}`, edit: (c) => { c.services[name] = {}; } })),
  set('services.database', 'postgres', 'service a string'),
  set('services.database', null, 'service null'),
  set('services.database', [5432], 'service an array'),
  // service keys
  { rule: 'unknown service key', at: 'services.server.prot', edit: (c) => { c.services.server.prot = 1; } },
  { rule: 'service key in the wrong case', at: 'services.server.Preferred', edit: (c) => { c.services.server.Preferred = [3000]; } },
  set('services.server.preferred', 3000, 'preferred not an array'),
  set('services.server.preferred', [0], 'port 0', 'services.server.preferred[0]'),
  set('services.server.preferred', [-1], 'port -1', 'services.server.preferred[0]'),
  set('services.server.preferred', [70000], 'port 70000', 'services.server.preferred[0]'),
  set('services.server.preferred', [65536], 'port 65536', 'services.server.preferred[0]'),
  set('services.server.preferred', [3000.5], 'port 3000.5', 'services.server.preferred[0]'),
  set('services.server.preferred', ['3000'], 'port "3000"', 'services.server.preferred[0]'),
  set('services.server.preferred', [null], 'port null', 'services.server.preferred[0]'),
  { rule: 'duplicate port in preferred', at: 'services.server.preferred[2]', edit: (c) => { c.services.server.preferred = [3000, 3001, 3000]; } },
  set('services.server.conflicts', 'client', 'conflicts not an array'),
  set('services.server.conflicts', [1], 'conflicts entry not a string', 'services.server.conflicts[0]'),
  set('services.server.dependsOn', 'redis', 'dependsOn not an array'),
  set('services.server.dependsOn', [null], 'dependsOn entry not a string', 'services.server.dependsOn[0]'),
  set('services.websocket.inheritFrom', 1, 'inheritFrom not a string'),
  set('services.websocket.preferred', [3000], 'inheritFrom with preferred'),
  set('services.websocket.preferred', [], 'inheritFrom with an empty preferred'),
  set('services.websocket.strict', true, 'strict with inheritFrom'),
  set('services.database.strict', 'yes', 'strict not a boolean'),
  { rule: 'strict without preferred', at: 'services.redis.strict', edit: (c) => { delete c.services.redis.preferred; } },
  set('services.redis.preferred', [], 'strict with an empty preferred', 'services.redis.strict'),
  set('services.database.kind', 'react', 'kind not one of SERVICE_KINDS'),
  set('services.database.kind', 'Postgres', 'kind in the wrong case'),
  set('services.database.kind', 1, 'kind not a string'),
  set('services.server.description', 1, 'description not a string'),
  set('services.server.command', ['node', 'server.js'], 'command not a string'),
  set('services.server.cwd', null, 'cwd not a string'),
  set('services.server.portEnv', '1PORT', 'portEnv starting with a digit'),
  set('services.server.portEnv', 'MY-PORT', 'portEnv with a dash'),
  set('services.server.portEnv', '', 'portEnv empty'),
  set('services.server.portEnv', 'PORT\n', 'portEnv with a trailing newline'),
  set('services.server.portEnv', 8080, 'portEnv not a string'),
  set('services.server.env', 'A=1', 'env a string'),
  set('services.server.env', ['A=1'], 'env an array'),
  set('services.server.env.A', 1, 'env with a number value'),
  set('services.server.env.A', true, 'env with a boolean value'),
  set('services.server.env.A', null, 'env with a null value'),
  // health
  set('services.server.health', 'http', 'health not an object'),
  set('services.server.health', [], 'health an array'),
  { rule: 'health without type', at: 'services.server.health.type', edit: (c) => { c.services.server.health = { intervalMs: 1000 }; } },
  set('services.server.health.type', 'grpc', 'health.type unknown'),
  set('services.server.health.type', 'HTTP', 'health.type in the wrong case'),
  set('services.server.health.type', 1, 'health.type not a string'),
  // Object.prototype's names are not health check types.
  { rule: 'health.type "constructor"', at: 'services.database.health.type', edit: (c) => { c.services.database.health = { type: 'constructor' }; } },
  { rule: 'health.type "toString"', at: 'services.database.health.type', edit: (c) => { c.services.database.health = { type: 'toString' }; } },
  { rule: 'tcp health with path', at: 'services.database.health.path', edit: (c) => { c.services.database.health.path = '/'; } },
  { rule: 'tcp health with command', at: 'services.database.health.command', edit: (c) => { c.services.database.health.command = 'true'; } },
  { rule: 'http health with retries', at: 'services.server.health.retries', edit: (c) => { c.services.server.health.retries = 3; } },
  { rule: 'http health with command', at: 'services.server.health.command', edit: (c) => { c.services.server.health.command = 'true'; } },
  { rule: 'command health with path', at: 'services.redis.health.path', edit: (c) => { c.services.redis.health.path = '/'; } },
  { rule: 'command health with expectStatus', at: 'services.redis.health.expectStatus', edit: (c) => { c.services.redis.health.expectStatus = 200; } },
  { rule: 'auto health with path', at: 'services.client.health.path', edit: (c) => { c.services.client.health.path = '/'; } },
  { rule: 'auto health with expectStatus', at: 'services.client.health.expectStatus', edit: (c) => { c.services.client.health.expectStatus = 200; } },
  set('services.server.health.intervalMs', 0, 'intervalMs 0'),
  set('services.server.health.intervalMs', -100, 'intervalMs negative'),
  set('services.server.health.intervalMs', 1.5, 'intervalMs not an integer'),
  set('services.server.health.intervalMs', '2000', 'intervalMs a string'),
  set('services.database.health.timeoutMs', 0, 'timeoutMs 0'),
  set('services.database.health.timeoutMs', 0.5, 'timeoutMs not an integer'),
  set('services.client.health.timeoutMs', null, 'timeoutMs null'),
  set('services.server.health.path', 'health', 'health.path without a leading /'),
  set('services.server.health.path', '', 'health.path empty'),
  set('services.server.health.path', 1, 'health.path not a string'),
  set('services.server.health.expectStatus', 99, 'expectStatus 99'),
  set('services.server.health.expectStatus', 600, 'expectStatus 600'),
  set('services.server.health.expectStatus', 200.5, 'expectStatus not an integer'),
  set('services.server.health.expectStatus', '200', 'expectStatus a string'),
  { rule: 'command health without command', at: 'services.redis.health.command', edit: (c) => { delete c.services.redis.health.command; } },
  set('services.redis.health.command', '', 'command health with an empty command'),
  set('services.redis.health.command', ' \t', 'command health with a blank command'),
  set('services.redis.health.command', 1, 'command health with a number command'),
];

function broken(b: Broken): unknown {
  const copy = structuredClone(BASE);
  const replaced = b.edit(copy);
  return replaced === undefined ? copy : replaced;
}

for (const b of BOTH_REJECT) {
  test(`invalid: ${b.rule}: both reject`, () => {
    const config = broken(b);
    const v = verdicts(config);
    assert.ok(validateStack(config).some((i) => i.path === b.at), `the validator reports ${b.at || 'the stack'}\n${show(config, v)}`);
    assert.ok(v.schema.length > 0, `the schema must reject it too\n${show(config, v)}`);
  });
}

// What JSON Schema cannot say: the validator alone rejects

/** Rules about other services by name, and about cycles: no JSON Schema keyword relates a value
 *  to the keys of another object. If the schema ever rejects one of these, move it to BOTH_REJECT. */
const VALIDATOR_ONLY: Broken[] = [
  set('services.server.conflicts', ['clinet'], 'conflicts names an unknown service', 'services.server.conflicts[0]'),
  set('services.server.dependsOn', ['db'], 'dependsOn names an unknown service', 'services.server.dependsOn[0]'),
  set('services.websocket.inheritFrom', 'sever', 'inheritFrom names an unknown service'),
  set('services.server.conflicts', ['server'], 'conflicts names the service itself', 'services.server.conflicts[0]'),
  set('services.server.dependsOn', ['server'], 'dependsOn names the service itself', 'services.server.dependsOn[0]'),
  set('services.websocket.inheritFrom', 'websocket', 'inheritFrom names the service itself'),
  { rule: 'inheritFrom names a service that is not there but is a reserved key', at: 'services.websocket.inheritFrom', edit: (c) => { c.services.websocket.inheritFrom = 'urls'; } },
  {
    rule: 'inheritance cycle', at: 'services.c.inheritFrom',
    edit: (c) => { Object.assign(c.services, { a: { inheritFrom: 'b' }, b: { inheritFrom: 'c' }, c: { inheritFrom: 'a' } }); },
  },
  set('services.redis.dependsOn', ['client'], 'dependsOn cycle (server -> redis -> client -> server)', 'services.client.dependsOn[0]'),
];

for (const b of VALIDATOR_ONLY) {
  test(`validator only: ${b.rule}`, () => {
    const config = broken(b);
    const v = verdicts(config);
    assert.ok(validateStack(config).some((i) => i.path === b.at), `the validator reports ${b.at}\n${show(config, v)}`);
    assert.deepEqual(v.schema, [], `the schema now rejects "${b.rule}": move it from VALIDATOR_ONLY to BOTH_REJECT\n${show(config, v)}`);
  });
}

test('a scan proposal stays valid when docker-compose services clash with reserved or repeated names', () => {
  const finding = (svc: string, port: number): Finding => ({ path: 'docker-compose.yml', line: 1, column: 1, portColumn: 1, kind: 'compose-port', port, match: `${port}`, message: `published port ${port} (${svc})`, service: svc });
  const inferred = inferFromFiles(new Map(), { findings: [finding('environment', 7001), finding('urls', 7002), finding('My API', 7003), finding('my api', 7004), finding('constructor', 7005)] });
  assert.ok(inferred.found);
  const stack = inferred.stack;
  assert.deepEqual(validateStack(stack), []);
  assert.deepEqual(Object.keys(stack.services), ['environment-service', 'urls-service', 'my-api', 'my-api-2', 'constructor']);
});
