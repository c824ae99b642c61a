// Wires apps to each other through the variables they already read: each variable of the repo's
// own .env files and compose `environment:` whose value points at another service becomes an
// `env` entry with `${ports.<name>}`, and every dependency gets `<NAME>_URL`. A service that
// reaches one below it (a client its API, an API its database) depends on it. Pure.
import type { Draft } from './drafts';
import { ROLE_RANK } from './drafts';
import type { ComposeService } from './composeServices';
import type { Reference } from './portEvidence';
import { isEnvFile } from './scanRules';
import { namedReferences } from './envReferences';

const LOCAL_HOST = /\b(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]):(\d{2,5})\b/;
const SCHEME: Partial<Record<string, string>> = { redis: 'redis', postgres: 'postgres', mysql: 'mysql', mongodb: 'mongodb', rabbitmq: 'amqp' };

const envName = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

function setEnv(d: Draft, key: string, value: string, why: string): void {
  if (!d.env.has(key) && key !== (d.portEnv ?? 'PORT')) d.env.set(key, { value, why });
}

function depend(from: Draft, to: Draft, why: string): void {
  if (from === to || ROLE_RANK[to.role] >= ROLE_RANK[from.role] || from.dependsOn.has(to) || reaches(to, from)) return;
  from.dependsOn.set(to, why);
}

/** True when `a` already depends on `b`, directly or not (no cycle may be added). */
function reaches(a: Draft, b: Draft, seen = new Set<Draft>()): boolean {
  if (a === b) return true;
  if (seen.has(a)) return false;
  seen.add(a);
  return [...a.dependsOn.keys()].some((n) => reaches(n, b, seen));
}

/** The drafts that read `variable` from a root env file: those whose own files name it. */
function readers(drafts: Draft[], variable: string, files: ReadonlyMap<string, string>): Draft[] {
  const word = new RegExp(`\\b${variable}\\b`);
  return drafts.filter((d) => d.role !== 'backing' && [...files].some(([f, text]) => !isEnvFile(f) && (d.home === '' || f.startsWith(`${d.home}/`)) && word.test(text)));
}

export function wireEnvironment(drafts: Draft[], refs: Reference[], compose: ComposeService[], files: ReadonlyMap<string, string>): void {
  const byPort = new Map<number, Draft>();
  for (const d of drafts) if (d.port && !byPort.has(d.port.port)) byPort.set(d.port.port, d);
  for (const ref of refs) {
    const { finding: f, target } = ref;
    const at = `${f.path}:${f.line}`;
    if (isEnvFile(f.path) && f.variable) {
      const raw = files.get(f.path)?.split(/\r?\n/)[f.line - 1] ?? '';
      const value = raw.slice(raw.indexOf('=') + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
      // A value the shell or compose would interpolate (`${POSTGRES_PASSWORD}`) cannot be given as is.
      if (/\$\{/.test(value)) {
        if (ref.source) depend(ref.source, target, `${at} ${f.variable} points at ${target.name}`);
        continue;
      }
      const wired = f.kind === 'env-port' ? `\${ports.${target.name}}` : value.replace(LOCAL_HOST, (_m, host: string) => `${host}:\${ports.${target.name}}`);
      const sources = ref.source && ref.source.home !== '' ? [ref.source] : readers(drafts, f.variable, files);
      for (const s of sources) {
        if (s === target) continue;
        setEnv(s, f.variable, wired, `${at} ${f.variable} points at ${target.name}`);
        depend(s, target, `${at} ${f.variable} points at ${target.name}`);
      }
    } else if (ref.source) {
      depend(ref.source, target, `${at} ${f.match} points at ${target.name}`);
    }
  }
  // Compose environment: `redis://redis:6379` inside the compose network is `localhost:${ports.redis}` here.
  for (const s of compose) {
    const app = drafts.find((d) => d.compose === s.name && d.role !== 'backing');
    if (!app) continue;
    for (const { key, value } of s.environment) {
      if (/\$\{/.test(value)) continue;
      const m = /^(\w[\w+.-]*:\/\/(?:[^@/\s]*@)?)([\w.-]+):(\d{2,5})(.*)$/.exec(value);
      if (!m) continue;
      const target = drafts.find((d) => d.compose === m[2]) ?? (/^(localhost|127\.0\.0\.1)$/.test(m[2]!) ? byPort.get(Number(m[3])) : undefined);
      if (!target || target === app) continue;
      const why = `${s.file.split(', ')[0]} services.${s.name}.environment.${key} points at ${target.name}`;
      setEnv(app, key, `${m[1]}localhost:\${ports.${target.name}}${m[4]}`, why);
      depend(app, target, why);
    }
    for (const dep of s.dependsOn) {
      const target = drafts.find((d) => d.compose === dep);
      if (target) depend(app, target, `${s.file.split(', ')[0]} services.${s.name}.depends_on ${dep}`);
    }
  }
  // A service whose code names another (`process.env.API_URL`, `MANITO_SERVER_PORT`) reaches it, whatever their roles;
  // not one above it (an API naming its web client, for CORS) and never into a cycle.
  for (const ref of namedReferences(drafts, files)) {
    const { from, to } = ref;
    if (ROLE_RANK[to.role] > ROLE_RANK[from.role] || from.dependsOn.has(to) || reaches(to, from)) continue;
    from.dependsOn.set(to, `${ref.at} points at ${to.name}`);
  }
  // Every dependent learns where each dependency is, under the dependency's name.
  for (const d of drafts) {
    for (const [target] of d.dependsOn) {
      const scheme = SCHEME[target.framework.id] ?? (target.kind === 'http' || target.kind === 'vite' ? 'http' : undefined);
      if (scheme) setEnv(d, `${envName(target.name)}_URL`, `${scheme}://localhost:\${ports.${target.name}}`, `${target.name} is a dependency of ${d.name}`);
    }
  }
}
