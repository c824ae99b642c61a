// The services of the project's docker-compose files (the base file, its override and dev
// variants merged by name; production, test and deploy variants left out), with their image,
// build folder, published host ports, depends_on and environment. Pure.
import * as path from 'node:path';
import { isCompose } from './scanRules';
import { isMap, parseYaml, type YamlValue } from './yamlLite';

export interface ComposeService {
  name: string;
  /** The compose file(s) it is declared in. */
  file: string;
  image?: string;
  /** Build folder relative to the project root, `''` for the root. */
  buildContext?: string;
  /** Host ports it publishes, in order. */
  published: number[];
  dependsOn: string[];
  environment: Array<{ key: string; value: string }>;
  testRunner?: boolean;
  /** The name its Dockerfile carries: `Dockerfile.api` says `api`. */
  dockerfileName?: string;
}

/** Variants that describe another machine than this one. */
const OTHER_MACHINE = /[.-](prod|production|test|ci|deploy|images|stack|staging|release)([.-]|\.ya?ml$)/;

/** Host port of one `ports:` entry: `"8080:80"`, `127.0.0.1:8080:80`, `${WEB_PORT:-8080}:80`, `{ published: 8080 }`; none for `"80"`. */
export function publishedPort(entry: YamlValue): number | undefined {
  if (isMap(entry)) {
    const n = Number(typeof entry.published === 'string' ? entry.published : NaN);
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
  }
  if (typeof entry !== 'string') return undefined;
  const withDefaults = entry.replace(/\$\{\w+:-(\d+)\}/g, '$1');
  const parts = withDefaults.split(':');
  if (parts.length < 2) return undefined;
  const host = parts[parts.length - 2]!.split('-')[0]!;
  const n = /^\d+$/.test(host) ? Number(host) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

function environmentOf(value: YamlValue | undefined): Array<{ key: string; value: string }> {
  if (Array.isArray(value)) {
    return value.flatMap((e) => {
      const m = typeof e === 'string' ? /^([A-Za-z_][\w.]*)=(.*)$/.exec(e) : null;
      return m ? [{ key: m[1]!, value: m[2]! }] : [];
    });
  }
  if (isMap(value)) return Object.entries(value).flatMap(([key, v]) => (typeof v === 'string' ? [{ key, value: v }] : []));
  return [];
}

function dependsOnOf(value: YamlValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return isMap(value) ? Object.keys(value) : [];
}

/** A compose file of this machine's dev stack: at the root, not a prod/test/deploy variant. */
export const isDevComposeFile = (f: string) => isCompose(f) && !f.includes('/') && !OTHER_MACHINE.test(path.posix.basename(f));

export function composeFiles(files: ReadonlyMap<string, string>): string[] {
  return [...files.keys()]
    .filter(isDevComposeFile)
    // The base file before its overrides, as docker compose merges them.
    .sort((a, b) => Number(/override|dev|local/.test(a)) - Number(/override|dev|local/.test(b)) || a.localeCompare(b));
}

export function composeServices(files: ReadonlyMap<string, string>): ComposeService[] {
  const byName = new Map<string, ComposeService>();
  for (const file of composeFiles(files)) {
    const doc = parseYaml(files.get(file)!);
    const services = isMap(doc) ? doc.services : undefined;
    if (!isMap(services)) continue;
    for (const [name, raw] of Object.entries(services)) {
      if (!isMap(raw)) continue;
      const s = byName.get(name) ?? { name, file, published: [], dependsOn: [], environment: [] };
      if (!s.file.split(', ').includes(file)) s.file = `${s.file}, ${file}`;
      if (typeof raw.image === 'string') s.image = raw.image;
      const build = typeof raw.build === 'string' ? raw.build : isMap(raw.build) && typeof raw.build.context === 'string' ? raw.build.context : undefined;
      if (build !== undefined) {
        // A Dockerfile elsewhere (`dockerfile: backend/Dockerfile`) names the app's folder better than a root context.
        const dockerfile = isMap(raw.build) && typeof raw.build.dockerfile === 'string' ? path.posix.dirname(raw.build.dockerfile) : '.';
        const file = isMap(raw.build) && typeof raw.build.dockerfile === 'string' ? path.posix.basename(raw.build.dockerfile) : '';
        if (/\.(tests?|e2e|playwright|cypress)$/i.test(file)) s.testRunner = true;
        const named = /^Dockerfile\.(\w+)$|^(\w+)\.Dockerfile$/i.exec(file);
        if (named) s.dockerfileName = (named[1] ?? named[2])!.toLowerCase();
        const context = path.posix.normalize(path.posix.join(build, dockerfile));
        s.buildContext = context === '.' ? '' : context.replace(/\/$/, '');
      }
      if (Array.isArray(raw.ports)) {
        for (const p of raw.ports) {
          const port = publishedPort(p);
          if (port !== undefined && port >= 1024 && !s.published.includes(port)) s.published.push(port);
        }
      }
      for (const d of dependsOnOf(raw.depends_on)) if (!s.dependsOn.includes(d)) s.dependsOn.push(d);
      for (const e of environmentOf(raw.environment)) {
        s.environment = s.environment.filter((x) => x.key !== e.key);
        s.environment.push(e);
      }
      byName.set(name, s);
    }
  }
  // Test runners built from an app's folder (playwright, cypress) are not part of the dev stack.
  return [...byName.values()].filter((s) => !TEST_RUNNER.test(s.name) && !s.testRunner).map(({ testRunner: _t, ...s }) => s);
}

const TEST_RUNNER = /^(playwright|cypress|e2e|tests?|selenium)$|[-_](tests?|e2e)$/;
