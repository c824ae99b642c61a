// Ties each hard-coded port the scan found to a service: a port a service listens on is its own
// (and may decide its preferred port); a port that code or config reaches (a URL, a client's
// `port: 6379`, `DB_PORT=5432`) points at the service that owns it. A port nobody owns becomes a
// service of its own: a backing service when it is a well-known one, else a plain one. Pure.
import * as path from 'node:path';
import { servicePortVariable } from '../../protocol/config';
import { FRAMEWORKS } from './frameworkPorts';
import { isDevComposeFile, type ComposeService } from './composeServices';
import { claim, joinCompose, newDraft, type Draft } from './drafts';
import type { Finding } from './portScan';
import { isPython } from './scanRules';

export interface Reference {
  finding: Finding;
  /** The service whose files hold it (none for a root file no service owns). */
  source: Draft | undefined;
  target: Draft;
}

const WELL_KNOWN: Record<number, string> = { 6379: 'redis', 5432: 'postgres', 3306: 'mysql', 27017: 'mongodb', 9090: 'prometheus', 11211: 'memcached', 5672: 'rabbitmq', 9200: 'elasticsearch' };
/** A variable named for a backing service, or Manito's own name for another service's port: that service's port, not the app's. */
const OTHER_SERVICE_VAR = /(DB|SQL|PG|POSTGRES|MYSQL|MARIA|MONGO|REDIS|CACHE|SMTP|MAIL|RABBIT|AMQP|ELASTIC|ES|KAFKA|MINIO|S3)\w*PORT|PORT_(DB|REDIS)|MANITO_\w+_PORT/i;

const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|e2e|cypress|playwright|fixtures)\//;
/** A tool's config file (`webpack.config.js`, `playwright.config.ts`, `.eslintrc.cjs`): read by a tool, never run as a service. */
const CONFIG_FILE = /(^|\/)([\w-]+\.config|\.\w+rc)\.[cm]?[jt]s$/;
/** Vite's: its port is the dev server's, which `npx vite` starts. */
const VITE_CONFIG = /(^|\/)vite\.config\.[cm]?[jt]s$/;
const inside = (file: string, dir: string) => dir === '' || file.startsWith(`${dir}/`);

/** The service whose files hold `file`: the deepest home; within it the one whose entry it is, then the preferred role. */
export function ownerOf(drafts: Draft[], file: string, prefer: 'frontend' | 'backend' = 'backend'): Draft | undefined {
  const apps = drafts.filter((d) => d.role !== 'backing' && inside(file, d.home));
  if (!apps.length) return undefined;
  const depth = Math.max(...apps.map((d) => (d.home ? d.home.split('/').length : 0)));
  const deepest = apps.filter((d) => (d.home ? d.home.split('/').length : 0) === depth);
  return deepest.find((d) => d.entry === file) ?? deepest.find((d) => d.role === prefer) ?? deepest[0];
}

/** True when the finding is where its own service listens, false when it reaches another one. */
function isOwn(f: Finding, lineText: string): boolean {
  switch (f.kind) {
    case 'url':
      return false;
    case 'cli-flag':
      return true;
    case 'option-port':
      return /\.run\(|\brunserver\b|\bserve\(|\blisten\(/.test(lineText) && !OTHER_SERVICE_VAR.test(lineText);
    case 'env-port':
      return !OTHER_SERVICE_VAR.test(f.variable ?? f.match);
    default:
      return !OTHER_SERVICE_VAR.test(f.match);
  }
}

/**
 * `process.env.MANITO_FRONTEND_PORT ?? 3000` in the frontend's own files (what `manito scan --fix`
 * writes) is the frontend's port, not a reference to another service.
 */
function readsOwnVariable(drafts: Draft[], f: Finding): boolean {
  const variable = /\bMANITO_\w+_PORT\b/.exec(f.match)?.[0];
  if (f.kind !== 'env-default' || !variable) return false;
  const owner = ownerOf(drafts, f.path, /vite\.config/.test(f.path) ? 'frontend' : 'backend');
  return owner !== undefined && servicePortVariable(owner.name) === variable;
}

const RANK: Partial<Record<Finding['kind'], number>> = { 'cli-flag': 0, 'vite-port': 1, listen: 2, 'const-port': 2, 'env-default': 2, 'option-port': 2, 'env-port': 3, 'compose-port': 4 };

/** Claims own ports, adds services for ports nobody owns, and returns what points where. */
export function attachFindings(drafts: Draft[], findings: Finding[], files: ReadonlyMap<string, string>, compose: ComposeService[] = []): Reference[] {
  // Each port's owner is the service with the surest claim on it.
  const owned = new Map<number, { draft: Draft; rank: number }>();
  const own = (d: Draft, port: number, rank: number) => {
    if ((owned.get(port)?.rank ?? Infinity) > rank) owned.set(port, { draft: d, rank });
  };
  const refs: Finding[] = [];
  for (const f of findings) {
    if (f.kind === 'compose-port') continue;
    const lineText = files.get(f.path)?.split(/\r?\n/)[f.line - 1] ?? '';
    if (!isOwn(f, lineText) && !readsOwnVariable(drafts, f)) { refs.push(f); continue; }
    const dir = path.posix.dirname(f.path) === '.' ? '' : path.posix.dirname(f.path);
    const vite = f.kind === 'vite-port' || VITE_CONFIG.test(f.path);
    let d = ownerOf(drafts, f.path, vite ? 'frontend' : 'backend');
    if (f.kind === 'env-port' && d && !inside(f.path, d.home)) d = undefined;
    // A Vite config's port is a dev server's, not that of a root backend whose folder it merely shares
    // (a script in the config's own folder, `node client/dev.mjs`, may well be what starts Vite).
    if (vite && d && d.role !== 'frontend' && d.home === '') d = undefined;
    if (!d) {
      if (f.kind === 'env-port' || f.kind === 'cli-flag') { refs.push(f); continue; }
      // Another tool's config file is no service: its port, if anyone's, is found by what it points at.
      if (!vite && CONFIG_FILE.test(f.path)) { refs.push(f); continue; }
      // Someone listens here and no app was found around it: start the file itself (a Vite config: Vite).
      const framework = vite ? FRAMEWORKS.vite! : isPython(f.path) ? FRAMEWORKS.flask! : FRAMEWORKS.node!;
      const rel = dir ? path.posix.relative(dir, f.path) : f.path;
      const command = vite ? 'npx vite --port ${port} --strictPort' : isPython(f.path) ? `python ${rel}` : `node ${rel}`;
      d = newDraft(dir ? path.posix.basename(dir) : vite ? 'client' : 'server', dir, framework, `${f.path} (${vite ? 'Vite config' : 'listens'})`, { command });
      if (!vite) d.entry = f.path;
      const built = compose.find((c) => c.buildContext === dir && !drafts.some((x) => x.compose === c.name));
      if (built) joinCompose(d, built);
      drafts.push(d);
    }
    claim(d, f.port, `${f.path}:${f.line} ${f.match}`, RANK[f.kind] ?? 5);
    own(d, f.port, RANK[f.kind] ?? 5);
  }
  // Published ports: the compose service's own. Variants for other machines (prod, test) never add a service.
  for (const f of findings) {
    if (f.kind !== 'compose-port') continue;
    let d = drafts.find((x) => x.compose === f.service);
    const built = compose.find((c) => c.name === f.service);
    if (!d && isDevComposeFile(f.path) && (built || !compose.length)) {
      d = newDraft(f.service ?? 'service', '', { ...FRAMEWORKS.node!, id: 'image', kind: 'tcp', role: 'backing', label: 'compose' }, `${f.path} services.${f.service}${built?.buildContext !== undefined ? ` (build ${built.buildContext || '.'})` : ''}`);
      d.compose = f.service!;
      drafts.push(d);
    }
    if (!d) continue;
    if (isDevComposeFile(f.path)) claim(d, f.port, `${f.path}:${f.line} ${f.match}`, RANK['compose-port']!);
    own(d, f.port, RANK['compose-port']!);
  }
  for (const d of drafts) {
    if (!d.port) claim(d, d.framework.defaultPort, `${d.framework.label}'s default port`, 9);
    own(d, d.port!.port, d.port!.rank);
  }
  const out: Reference[] = [];
  for (const f of refs) {
    let target = owned.get(f.port)?.draft;
    const id = WELL_KNOWN[f.port];
    // A URL to a port nothing here listens on is another machine's or another project's, and a
    // test's own servers are not the stack's: left as findings only.
    if (!target && (!id || TEST_PATH.test(f.path))) continue;
    if (!target) {
      const spec = FRAMEWORKS[id!]!;
      target = newDraft(id!, '', spec, `${f.path}:${f.line} ${f.match} (the ${spec.label} port)`, spec.command ? { command: spec.command } : {});
      claim(target, f.port, `${f.path}:${f.line} ${f.match}`, 5);
      drafts.push(target);
      own(target, f.port, 5);
    }
    out.push({ finding: f, source: ownerOf(drafts, f.path, /vite\.config|\.env/.test(f.path) ? 'frontend' : 'backend'), target });
  }
  return out;
}
