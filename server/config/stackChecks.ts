// The rules of manito.json that a JSON schema cannot say, run on a stack the schema accepted:
// names that must exist, cycles and chain lengths, environment variables two names would share,
// a cwd that leaves the workspace, ports in the host's own range, `${ports.x}` placeholders.
// Every pass is linear in the number of services and iterative, so no stack is too long for it.
import * as path from 'node:path';
import { CONFIG_BOUNDS } from '../../protocol/configBounds';
import { DEFAULT_HOST_PORTS, servicePortVariable, type ServiceConfig, type StackConfig } from '../../protocol/config';
import { nearestName } from './nearestName';
import { instanceOf } from '../../protocol/instances';
import { isExpanded } from '../instances/expandInstances';
import { checkInstances, indexedPlaceholder } from './instanceChecks';
import { issue, type Seg, type StackIssue } from './stackIssue';

export interface StackCheckOptions {
  /** The workspace folder, to tell whether an absolute cwd lies inside it. */
  workspace?: string;
}

type Add = (segments: Seg[], message: string) => void;

export function stackIssues(stack: StackConfig, options: StackCheckOptions = {}): StackIssue[] {
  const issues: StackIssue[] = [];
  const add: Add = (segments, message) => { issues.push(issue(segments, message)); };
  const services = new Map<string, ServiceConfig>(Object.entries(stack.services));
  checkReferences(services, add);
  // Cycles and chains only over known names: an unknown one is reported above, once.
  checkInheritance(services, add);
  checkDependencies(services, add);
  checkVariables(services, add);
  checkCwd(services, options.workspace, add);
  checkHostPorts(stack, services, add);
  checkPlaceholders(services, add);
  // The served stack (instances expanded) is checked again by the engine: its fronts have no command on purpose.
  if (!isExpanded(stack)) checkInstances(services, add);
  return issues;
}

function checkReferences(services: Map<string, ServiceConfig>, add: Add): void {
  const budget = { left: HINTS };
  for (const [name, s] of services) {
    for (const key of ['conflicts', 'dependsOn'] as const) {
      s[key]?.forEach((other, i) => {
        if (other === name) add(['services', name, key, i], `${name}: a service cannot list itself in ${key}`);
        else if (!services.has(other)) add(['services', name, key, i], `${name}: ${key} names unknown service "${other}"${didYouMean(other, services, budget)}`);
      });
    }
    if (s.inheritFrom === undefined) continue;
    if (s.inheritFrom === name) add(['services', name, 'inheritFrom'], `${name}: a service cannot inherit from itself`);
    else if (!services.has(s.inheritFrom)) add(['services', name, 'inheritFrom'], `${name}: inheritFrom names unknown service "${s.inheritFrom}"${didYouMean(s.inheritFrom, services, budget)}`);
  }
}

/** Hints for the first few unknown names only: a file of thousands of them must not cost seconds. */
const HINTS = 20;
function didYouMean(name: string, services: Map<string, ServiceConfig>, budget: { left: number }): string {
  if (budget.left <= 0 || services.size > 500) return '';
  budget.left--;
  const near = nearestName(name, [...services.keys()]);
  return near ? `; did you mean "${near}"?` : '';
}

/** Each service has at most one parent: follow each chain once, remembering how deep every service sits. */
function checkInheritance(services: Map<string, ServiceConfig>, add: Add): void {
  const depth = new Map<string, number>(); // links from the root; -1 on a cycle
  for (const start of services.keys()) {
    if (depth.has(start)) continue;
    const trail: string[] = [];
    const onTrail = new Map<string, number>();
    let at: string | undefined = start;
    let base = 0;
    while (at !== undefined) {
      const known = depth.get(at);
      if (known !== undefined) { base = known < 0 ? -1 : known + 1; break; }
      if (onTrail.has(at)) {
        const cycle = trail.slice(onTrail.get(at));
        const last = trail[trail.length - 1]!;
        add(['services', last, 'inheritFrom'], `inheritance cycle: ${[...cycle, at].join(' -> ')}`);
        base = -1;
        break;
      }
      onTrail.set(at, trail.length);
      trail.push(at);
      const parent: string | undefined = services.get(at)?.inheritFrom;
      at = parent !== undefined && parent !== at && services.has(parent) ? parent : undefined;
    }
    // The trail runs child -> root: the last one sits at `base`, the first deepest.
    for (let i = trail.length - 1; i >= 0; i--) {
      const d = base < 0 ? -1 : base + (trail.length - 1 - i);
      depth.set(trail[i]!, d);
      if (d === CONFIG_BOUNDS.maxChainLength + 1) {
        add(['services', trail[i]!, 'inheritFrom'], `${trail[i]}: inheritFrom chain of more than ${CONFIG_BOUNDS.maxChainLength} links; at most ${CONFIG_BOUNDS.maxChainLength} are allowed`);
      }
    }
  }
}

/** Depth-first with an explicit stack: reports each cycle at the edge that closes it, then the longest chain. */
function checkDependencies(services: Map<string, ServiceConfig>, add: Add): void {
  const edges = (name: string): string[] => (services.get(name)?.dependsOn ?? []).filter((n) => n !== name && services.has(n));
  const state = new Map<string, 'active' | 'done'>();
  const longest = new Map<string, number>(); // services on the longest chain starting here
  let cyclic = false;
  for (const start of services.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ name: string; next: string[]; i: number }> = [{ name: start, next: edges(start), i: 0 }];
    const onStack: string[] = [start];
    state.set(start, 'active');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.next.length) {
        const next = top.next[top.i++]!;
        if (state.get(next) === 'active') {
          cyclic = true;
          const chain = [...onStack.slice(onStack.indexOf(next)), next];
          add(['services', top.name, 'dependsOn', services.get(top.name)!.dependsOn!.indexOf(next)], `dependsOn cycle: ${chain.join(' -> ')}`);
        } else if (!state.has(next)) {
          state.set(next, 'active');
          onStack.push(next);
          stack.push({ name: next, next: edges(next), i: 0 });
        }
        continue;
      }
      let length = 1;
      for (const n of top.next) length = Math.max(length, (longest.get(n) ?? 0) + 1);
      longest.set(top.name, length);
      state.set(top.name, 'done');
      stack.pop();
      onStack.pop();
    }
  }
  if (cyclic) return;
  for (const [name, length] of longest) {
    if (length > CONFIG_BOUNDS.maxChainLength) {
      add(['services', name, 'dependsOn'], `${name}: dependsOn chain of ${length} services; at most ${CONFIG_BOUNDS.maxChainLength} are allowed`);
      return; // one message: every service above it on the chain is too long for the same reason
    }
  }
}

function checkVariables(services: Map<string, ServiceConfig>, add: Add): void {
  const owner = new Map<string, string>();
  const stack = { services: Object.fromEntries(services) };
  for (const name of services.keys()) {
    if (instanceOf(name, stack)) continue; // instances get no variable of their own
    const variable = servicePortVariable(name);
    const first = owner.get(variable);
    if (first === undefined) owner.set(variable, name);
    else add(['services', name], `${name}: "${first}" and "${name}" would both set ${variable}; rename one of them`);
  }
}

function checkCwd(services: Map<string, ServiceConfig>, workspace: string | undefined, add: Add): void {
  for (const [name, s] of services) {
    if (s.cwd === undefined || s.cwdOutsideWorkspace === true) continue;
    // Without a workspace an absolute path cannot be shown to lie inside it, so it counts as outside.
    const inside = path.isAbsolute(s.cwd) && workspace === undefined ? false : isInside(workspace ?? path.resolve('/workspace'), s.cwd);
    if (!inside) add(['services', name, 'cwd'], `${name}: cwd "${s.cwd}" is outside the workspace; set "cwdOutsideWorkspace": true to allow it`);
  }
}

function checkHostPorts(stack: StackConfig, services: Map<string, ServiceConfig>, add: Add): void {
  const hostPorts = new Set([...DEFAULT_HOST_PORTS, ...(stack.host?.ports ?? [])]);
  const range = `${DEFAULT_HOST_PORTS[0]}-${DEFAULT_HOST_PORTS[DEFAULT_HOST_PORTS.length - 1]}`;
  for (const [name, s] of services) {
    s.preferred?.forEach((port, i) => {
      if (hostPorts.has(port)) add(['services', name, 'preferred', i], `${name}: port ${port} is the Manito host's own (${range}${stack.host?.ports?.length ? ' and host.ports' : ''}); pick another`);
    });
  }
}

/** `..hidden` is a folder name; only a `..` segment climbs. */
function isInside(workspace: string, cwd: string): boolean {
  const relative = path.relative(workspace, path.resolve(workspace, cwd));
  return !path.isAbsolute(relative) && relative.split(path.sep)[0] !== '..';
}

const PLACEHOLDER = /\$\{ports\.([^}]*)\}/g;

function checkPlaceholders(services: Map<string, ServiceConfig>, add: Add): void {
  for (const [name, s] of services) {
    const texts: Array<[Seg[], string]> = [];
    if (s.command !== undefined) texts.push([['command'], s.command]);
    for (const [key, value] of Object.entries(s.env ?? {})) texts.push([['env', key], value]);
    if (s.health?.type === 'command') texts.push([['health', 'command'], s.health.command]);
    for (const [where, text] of texts) {
      for (const match of text.matchAll(PLACEHOLDER)) {
        const target = match[1]!;
        const indexed = indexedPlaceholder(target, services);
        if (indexed) add(['services', name, ...where], `${name}: \${ports.${target}} ${indexed}`);
        else if (indexed === undefined && !services.has(target)) add(['services', name, ...where], `${name}: \${ports.${target}} names unknown service "${target}"`);
      }
    }
  }
}
