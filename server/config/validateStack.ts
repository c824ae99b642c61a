// Pure validation of a parsed manito.json (or any stack object): every problem comes back with the
// JSON path of the offending value, so the host can point at its line and column, and a message
// that names the service. Nothing here reads files or knows about positions.
import { SERVICE_KINDS, STRATEGIES, type StackConfig } from '../../protocol/config';
import { PORTS_DATA_KEYS } from '../../protocol/http';

export interface StackIssue {
  /** `services.client.preferred[1]`; names that are not identifiers are quoted: `services["api-gw"]`. */
  path: string;
  /** The same path as segments, as jsonc-parser's findNodeAtLocation takes it. */
  segments: Array<string | number>;
  message: string;
}

export class InvalidStackError extends Error {
  constructor(readonly issues: StackIssue[]) {
    super(`invalid stack: ${issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ')}`);
    this.name = 'InvalidStackError';
  }
}

// The keys each object may have. schemas/manito.schema.json declares the same sets; the unit test
// schemaAgreement.test.ts fails when the two drift apart.
export const ROOT_KEYS: readonly string[] = ['$schema', 'strategy', 'environment', 'host', 'services'];
export const HOST_KEYS: readonly string[] = ['ports'];
export const SERVICE_KEYS: readonly string[] = ['preferred', 'conflicts', 'inheritFrom', 'strict', 'kind', 'description', 'command', 'cwd', 'env', 'portEnv', 'dependsOn', 'health'];
/** By health check type. */
export const HEALTH_KEYS: Readonly<Record<string, readonly string[]>> = {
  tcp: ['type', 'intervalMs', 'timeoutMs'],
  http: ['type', 'path', 'expectStatus', 'intervalMs', 'timeoutMs'],
  command: ['type', 'command', 'intervalMs', 'timeoutMs'],
  auto: ['type', 'intervalMs', 'timeoutMs'],
};

type Seg = string | number;
type Obj = Record<string, unknown>;

export function formatPath(segments: readonly Seg[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPortNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

/** All problems of the stack; empty when it is valid. */
export function validateStack(config: unknown): StackIssue[] {
  const issues: StackIssue[] = [];
  const add = (segments: Seg[], message: string) => issues.push({ path: formatPath(segments), segments, message });
  if (!isObj(config)) {
    add([], 'the stack must be a JSON object');
    return issues;
  }
  for (const key of Object.keys(config)) if (!ROOT_KEYS.includes(key)) add([key], `unknown key "${key}"`);
  if (config.strategy !== undefined && !STRATEGIES.includes(config.strategy as never)) {
    add(['strategy'], `strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(config.strategy)}`);
  }
  for (const key of ['environment', '$schema']) {
    if (config[key] !== undefined && typeof config[key] !== 'string') add([key], `${key} must be a string`);
  }
  if (config.host !== undefined) checkHost(config.host, add);
  const services = config.services;
  if (!isObj(services)) {
    add(['services'], services === undefined ? 'services is required' : 'services must be an object of named services');
    return issues;
  }
  const names = new Set(Object.keys(services));
  for (const [name, service] of Object.entries(services)) {
    const at: Seg[] = ['services', name];
    if (name.trim() === '') add(at, 'a service name must not be empty');
    // /api/ports puts every service's port beside these keys: such a service would overwrite one.
    if (PORTS_DATA_KEYS.includes(name)) {
      add(at, `service "${name}" clashes with the "${name}" key of /api/ports (reserved: ${PORTS_DATA_KEYS.join(', ')}); rename the service`);
    }
    if (!isObj(service)) {
      add(at, `service "${name}" must be an object`);
      continue;
    }
    checkService(name, service, names, at, add);
  }
  findCycles(services, 'inheritFrom', add, (chain) => `inheritance cycle: ${chain.join(' -> ')}`);
  findCycles(services, 'dependsOn', add, (chain) => `dependsOn cycle: ${chain.join(' -> ')}`);
  return issues;
}

/** The stack itself when it is valid; throws InvalidStackError listing every problem otherwise. */
export function assertValidStack(config: unknown): StackConfig {
  const issues = validateStack(config);
  if (issues.length > 0) throw new InvalidStackError(issues);
  return config as StackConfig;
}

function checkHost(host: unknown, add: (s: Seg[], m: string) => void): void {
  if (!isObj(host)) return add(['host'], 'host must be an object');
  for (const key of Object.keys(host)) if (!HOST_KEYS.includes(key)) add(['host', key], `unknown key "${key}" in host`);
  if (host.ports !== undefined) checkPortList(host.ports, ['host'], 'ports', 'host', add);
}

// Paths are built only for an issue: a valid stack of many services should cost no garbage.
function checkPortList(list: unknown, parent: Seg[], key: string, who: string, add: (s: Seg[], m: string) => void): void {
  if (!Array.isArray(list)) return add([...parent, key], `${who}: ${key} must be an array of port numbers`);
  for (let i = 0; i < list.length; i++) {
    const port: unknown = list[i];
    if (!isPortNumber(port)) add([...parent, key, i], `${who}: ${JSON.stringify(port)} is not a port number (an integer from 1 to 65535)`);
    else {
      const first = list.indexOf(port);
      if (first < i) add([...parent, key, i], `${who}: port ${port} appears twice (also at [${first}])`);
    }
  }
}

function checkNames(list: unknown, parent: Seg[], name: string, key: string, names: Set<string>, add: (s: Seg[], m: string) => void): void {
  if (!Array.isArray(list)) return add([...parent, key], `${name}: ${key} must be an array of service names`);
  for (let i = 0; i < list.length; i++) {
    const other: unknown = list[i];
    if (typeof other !== 'string') add([...parent, key, i], `${name}: ${key} entries must be service names, got ${JSON.stringify(other)}`);
    else if (other === name) add([...parent, key, i], `${name}: a service cannot list itself in ${key}`);
    else if (!names.has(other)) add([...parent, key, i], `${name}: ${key} names unknown service "${other}"`);
  }
}

function checkService(name: string, s: Obj, names: Set<string>, at: Seg[], add: (s: Seg[], m: string) => void): void {
  for (const key of Object.keys(s)) if (!SERVICE_KEYS.includes(key)) add([...at, key], `${name}: unknown key "${key}"`);
  if (s.preferred !== undefined) checkPortList(s.preferred, at, 'preferred', name, add);
  if (s.conflicts !== undefined) checkNames(s.conflicts, at, name, 'conflicts', names, add);
  if (s.dependsOn !== undefined) checkNames(s.dependsOn, at, name, 'dependsOn', names, add);
  if (s.inheritFrom !== undefined) {
    if (typeof s.inheritFrom !== 'string') add([...at, 'inheritFrom'], `${name}: inheritFrom must be a service name`);
    else if (s.inheritFrom === name) add([...at, 'inheritFrom'], `${name}: a service cannot inherit from itself`);
    else if (!names.has(s.inheritFrom)) add([...at, 'inheritFrom'], `${name}: inheritFrom names unknown service "${s.inheritFrom}"`);
    if (s.preferred !== undefined) add([...at, 'preferred'], `${name}: preferred has no effect, the service inherits ${String(s.inheritFrom)}'s port`);
    if (s.strict === true) add([...at, 'strict'], `${name}: strict makes no sense with inheritFrom, the port is always ${String(s.inheritFrom)}'s`);
  }
  if (s.strict !== undefined && typeof s.strict !== 'boolean') add([...at, 'strict'], `${name}: strict must be true or false`);
  if (s.strict === true && s.inheritFrom === undefined && (!Array.isArray(s.preferred) || s.preferred.length === 0)) {
    add([...at, 'strict'], `${name}: strict needs at least one preferred port`);
  }
  if (s.kind !== undefined && !SERVICE_KINDS.includes(s.kind as never)) {
    add([...at, 'kind'], `${name}: kind must be one of ${SERVICE_KINDS.join(', ')}, got ${JSON.stringify(s.kind)}`);
  }
  for (const key of ['description', 'command', 'cwd']) {
    if (s[key] !== undefined && typeof s[key] !== 'string') add([...at, key], `${name}: ${key} must be a string`);
  }
  if (s.portEnv !== undefined && (typeof s.portEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.portEnv))) {
    add([...at, 'portEnv'], `${name}: portEnv must be an environment variable name like PORT`);
  }
  if (s.env !== undefined) {
    if (!isObj(s.env)) add([...at, 'env'], `${name}: env must be an object of strings`);
    else for (const [k, v] of Object.entries(s.env)) if (typeof v !== 'string') add([...at, 'env', k], `${name}: env.${k} must be a string`);
  }
  if (s.health !== undefined) checkHealth(name, s.health, [...at, 'health'], add);
}

function checkHealth(name: string, h: unknown, at: Seg[], add: (s: Seg[], m: string) => void): void {
  if (!isObj(h)) return add(at, `${name}: health must be an object`);
  // Own keys only: "constructor" or "toString" would otherwise find Object.prototype's functions.
  const allowed = typeof h.type === 'string' && Object.hasOwn(HEALTH_KEYS, h.type) ? HEALTH_KEYS[h.type] : undefined;
  if (!allowed) return add([...at, 'type'], `${name}: health.type must be one of ${Object.keys(HEALTH_KEYS).join(', ')}, got ${JSON.stringify(h.type)}`);
  for (const key of Object.keys(h)) if (!allowed.includes(key)) add([...at, key], `${name}: unknown key "${key}" in a ${h.type} health check`);
  for (const key of ['intervalMs', 'timeoutMs']) {
    const v = h[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v > 0)) add([...at, key], `${name}: health.${key} must be a positive integer of milliseconds`);
  }
  if (h.type === 'http') {
    if (h.path !== undefined && (typeof h.path !== 'string' || !h.path.startsWith('/'))) add([...at, 'path'], `${name}: health.path must start with "/"`);
    const st = h.expectStatus;
    if (st !== undefined && !(typeof st === 'number' && Number.isInteger(st) && st >= 100 && st <= 599)) add([...at, 'expectStatus'], `${name}: health.expectStatus must be an HTTP status from 100 to 599`);
  }
  if (h.type === 'command' && (typeof h.command !== 'string' || h.command.trim() === '')) add([...at, 'command'], `${name}: a command health check needs a command`);
}

/** Reports each cycle once, at the edge that closes it, naming every service on it. */
function findCycles(services: Obj, key: 'inheritFrom' | 'dependsOn', add: (s: Seg[], m: string) => void, describe: (chain: string[]) => string): void {
  const edges = (name: string): string[] => {
    const s = services[name];
    if (!isObj(s)) return [];
    const v = s[key];
    if (v === undefined) return [];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    return list.filter((n) => n !== name && isObj(services[n]));
  };
  if (!Object.values(services).some((s) => isObj(s) && s[key] !== undefined)) return; // nothing links
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const next of edges(name)) {
      if (state.get(next) === 'active') {
        const chain = [...stack.slice(stack.indexOf(next)), next];
        const v = (services[name] as Obj)[key];
        add(['services', name, key, ...(Array.isArray(v) ? [v.indexOf(next)] : [])], describe(chain));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) if (!state.has(name)) visit(name);
}
