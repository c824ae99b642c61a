// The services of an inferred stack while they are being put together: one draft per app
// (package.json scripts, Python apps, Procfile) and per backing service (docker-compose), each
// keeping where it came from. Pure.
import * as path from 'node:path';
import type { ServiceKind } from '../../protocol/config';
import type { ComposeService } from './composeServices';
import { FRAMEWORKS, backingFromImage, type FrameworkSpec, type Role } from './frameworkPorts';
import { USUAL_LAYOUTS, type AppCandidate } from './packageApps';
import type { PythonApp } from './pythonApps';

export interface PortClaim {
  port: number;
  why: string;
  /** Lower is surer: 0 the script's own flag ... 9 the framework's default. */
  rank: number;
}

export interface Draft {
  /** The name it would like; made unique and valid at the end. */
  name: string;
  /** Folder its command runs in, `''` for the root. */
  dir: string;
  /** Folder its own files live in (a root script's `backend/server.js` lives in `backend`). */
  home: string;
  role: Role;
  framework: FrameworkSpec;
  kind: ServiceKind;
  command?: string;
  portEnv?: string;
  from: string[];
  entry?: string;
  compose?: string;
  port?: PortClaim;
  env: Map<string, { value: string; why: string }>;
  /** Names of other drafts' `name` at creation; resolved to final names at the end. */
  dependsOn: Map<Draft, string>;
}

export const ROLE_RANK: Record<Role, number> = { backing: 0, backend: 1, frontend: 2 };

export function claim(draft: Draft, port: number, why: string, rank: number): void {
  if (!draft.port || rank < draft.port.rank) draft.port = { port, why, rank };
}

export function newDraft(name: string, dir: string, framework: FrameworkSpec, from: string, more: Partial<Draft> = {}): Draft {
  const d: Draft = { name, dir, home: dir, role: framework.role, framework, kind: framework.kind, from: [from], env: new Map(), dependsOn: new Map(), ...more };
  if (framework.portEnv) d.portEnv = framework.portEnv;
  return d;
}

/** A root script's entry in `backend/server.js` makes `backend` its home. */
function homeOf(dir: string, entry: string | undefined): string {
  if (dir || !entry?.includes('/')) return dir;
  const top = entry.split('/')[0]!;
  return USUAL_LAYOUTS.includes(top) ? top : dir;
}

export function draftsFromApps(apps: AppCandidate[], python: PythonApp[]): Draft[] {
  const drafts: Draft[] = [];
  for (const app of apps) {
    const d = newDraft(app.name, app.dir, app.framework, app.from, { command: app.command, home: homeOf(app.dir, app.entry) });
    if (app.entry) d.entry = app.entry;
    for (const [key, v] of Object.entries(app.env ?? {})) d.env.set(key, v);
    if (app.scriptPort !== undefined) claim(d, app.scriptPort, `${app.from.replace(/ \(.*\)$/, '')} --port ${app.scriptPort}`, 0);
    drafts.push(d);
  }
  for (const app of python) {
    if (drafts.some((d) => d.home === app.dir && d.role === 'backend')) continue;
    drafts.push(newDraft(app.name, app.dir, app.framework, app.from, { command: app.command, entry: app.entry }));
  }
  return drafts;
}

/**
 * Compose services join the app built from their folder, or become backing services when their
 * image says what they are (Redis, PostgreSQL...). Other images with published ports are kept as
 * plain TCP services without a command (Manito allocates and watches; compose runs them).
 */
export function mergeCompose(drafts: Draft[], services: ComposeService[]): void {
  // A compose service named like the app built from its folder is that app, before any other
  // service built from the same folder (a test runner's image, say) is considered.
  const built = (s: ComposeService, d: Draft) => !d.compose && s.buildContext !== undefined && (d.home === s.buildContext || d.dir === s.buildContext);
  const rest: ComposeService[] = [];
  for (const s of services) {
    const app = drafts.find((d) => built(s, d) && d.name === s.name)
      ?? drafts.find((d) => !d.compose && d.role !== 'backing' && s.dockerfileName !== undefined && d.name === s.dockerfileName);
    if (app) joinCompose(app, s);
    else rest.push(s);
  }
  for (const s of rest) {
    const where = `${s.file.split(', ')[0]} services.${s.name}`;
    const app = drafts.find((d) => built(s, d));
    if (app) {
      joinCompose(app, s);
      continue;
    }
    // The app's own published image (`image: ghcr.io/acme/shop`, service `shop`) is the app.
    const image = drafts.find((d) => !d.compose && d.role !== 'backing' && s.buildContext === undefined && d.name === s.name);
    if (image) {
      image.compose = s.name;
      image.from.push(`${where} (image ${s.image ?? 'unknown'})`);
      continue;
    }
    const backing = s.image ? backingFromImage(s.image) : undefined;
    if (backing) {
      const d = newDraft(s.name, '', backing, `${where} (image ${s.image})`, { compose: s.name, command: backing.command! });
      if (s.published[0] !== undefined) claim(d, s.published[0], `${where} ports ${s.published[0]}`, 4);
      else claim(d, backing.defaultPort, `${backing.label}'s default port (${where} publishes none)`, 9);
      drafts.push(d);
    } else if (s.published.length && s.buildContext === undefined) {
      const d = newDraft(s.name, '', { ...FRAMEWORKS.node!, id: 'image', label: s.image ?? 'image', kind: 'tcp', role: 'backing' }, `${where} (image ${s.image ?? 'unknown'})`, { compose: s.name });
      delete d.command;
      claim(d, s.published[0]!, `${where} ports ${s.published[0]}`, 4);
      drafts.push(d);
    }
  }
}

export function joinCompose(app: Draft, s: ComposeService): void {
  app.compose = s.name;
  app.name = s.name;
  app.from.push(`${s.file.split(', ')[0]} services.${s.name} (build ${s.buildContext || '.'})`);
}

/** Procfile `web:` lines: a new service, or a source more for the app already found in that folder. */
export function mergeProcfiles(drafts: Draft[], files: ReadonlyMap<string, string>): void {
  for (const [file, text] of files) {
    if (!/^Procfile$/.test(path.posix.basename(file))) continue;
    const dir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      const m = /^web:\s*(.+)$/.exec(line.trim());
      if (!m) return;
      const from = `${file}:${i + 1} web`;
      const existing = drafts.find((d) => d.home === dir && d.role !== 'backing' && d.role !== 'frontend');
      if (existing) {
        existing.from.push(from);
        return;
      }
      const command = m[1]!.replace(/\$\{?PORT\}?/g, '${port}');
      const framework = /\bmanage\.py\b|\bgunicorn\b|\buvicorn\b|\bflask\b|\bpython\b/.test(command) ? FRAMEWORKS[/uvicorn/.test(command) ? 'fastapi' : /manage\.py/.test(command) ? 'django' : 'flask']! : FRAMEWORKS.node!;
      drafts.push(newDraft(dir ? path.posix.basename(dir) : 'web', dir, framework, from, { command }));
    });
  }
}
