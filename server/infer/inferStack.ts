// Infers a manito.json from what a folder holds: the apps its package.json scripts and Python
// files start, its docker-compose and Procfile services, the ports its code and .env files write,
// wired to each other through the variables they read. `inferFromFiles` is pure (files in, stack
// and provenance out); `inferStack` reads the folder within limits first.
import type { ServiceConfig, StackConfig } from '../../protocol/config';
import { PORTS_DATA_KEYS } from '../../protocol/http';
import type { InferenceResult, ServiceProvenance } from '../../protocol/inference';
import { composeServices } from './composeServices';
import { draftsFromApps, mergeCompose, mergeProcfiles, type Draft } from './drafts';
import { wireEnvironment } from './envWiring';
import { healthFor } from './frameworkPorts';
import { packageApps, type HasTool } from './packageApps';
import { attachFindings } from './portEvidence';
import { scanFiles, type Finding } from './portScan';
import { pythonApps } from './pythonApps';
import { DEFAULT_READ_LIMITS, readProjectFiles, type ReadLimits } from './projectFiles';
import { onPath } from './toolsOnPath';

export interface InferOptions {
  /** Findings already computed from the same files (the CLI prints them too). */
  findings?: Finding[];
  truncated?: boolean;
  /** Whether `yarn`/`bun` is installed (default: every tool is); without it a lockfile's scripts run with npm. */
  hasTool?: HasTool;
}

/** A valid, distinct service name: lowercase letters, digits and `-`; never a reserved /api/ports key. */
export function serviceName(wanted: string, taken: ReadonlySet<string>): string {
  let base = wanted.toLowerCase().replace(/^@[^/]+\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'service';
  if (PORTS_DATA_KEYS.includes(base)) base = `${base}-service`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

function toService(d: Draft, drafts: Draft[]): ServiceConfig {
  const p = d.port!.port;
  const s: ServiceConfig = { preferred: [p, p + 1, p + 2].filter((n) => n <= 65535), kind: d.kind, description: d.from[0]! };
  if (d.command) s.command = d.command;
  if (d.dir) s.cwd = d.dir;
  if (d.portEnv) s.portEnv = d.portEnv;
  if (d.env.size) s.env = Object.fromEntries([...d.env].map(([k, v]) => [k, v.value]));
  if (d.dependsOn.size) s.dependsOn = [...d.dependsOn.keys()].map((t) => t.name);
  // Apps whose fallback windows overlap would move onto each other's preferred ports.
  const overlaps = drafts.filter((o) => o !== d && o.role !== 'backing' && d.role !== 'backing' && Math.abs(o.port!.port - p) <= 2).map((o) => o.name);
  if (overlaps.length) s.conflicts = overlaps;
  s.health = healthFor(d.kind);
  return s;
}

function provenanceOf(d: Draft): ServiceProvenance {
  return {
    from: [...d.from],
    port: d.port!.why,
    env: Object.fromEntries([...d.env].map(([k, v]) => [k, v.why])),
    dependsOn: Object.fromEntries([...d.dependsOn].map(([t, why]) => [t.name, why])),
    ...(d.compose ? { compose: d.compose, ...(d.role === 'backing' ? {} : { composeRunsLocally: true as const }) } : {}),
  };
}

export function inferFromFiles(files: ReadonlyMap<string, string>, options: InferOptions = {}): InferenceResult {
  const read = { files: files.size, truncated: options.truncated ?? false };
  const findings = options.findings ?? scanFiles(files);
  const compose = composeServices(files);
  const buildDirs = compose.flatMap((s) => (s.buildContext !== undefined ? [s.buildContext] : []));
  const drafts = draftsFromApps(packageApps(files, buildDirs, options.hasTool), pythonApps(files, buildDirs));
  mergeCompose(drafts, compose);
  mergeProcfiles(drafts, files);
  const refs = attachFindings(drafts, findings, files, compose);
  if (drafts.length === 0) {
    return { found: false, reason: 'no package.json script, Python app, docker-compose service, Procfile or hard-coded port says what runs here', read };
  }
  const taken = new Set<string>();
  for (const d of drafts) {
    d.name = serviceName(d.name, taken);
    taken.add(d.name);
  }
  wireEnvironment(drafts, refs, compose, files);
  const services: Record<string, ServiceConfig> = {};
  const provenance: Record<string, ServiceProvenance> = {};
  for (const d of drafts) {
    services[d.name] = toService(d, drafts);
    provenance[d.name] = provenanceOf(d);
  }
  const stack: StackConfig = { strategy: 'minimal', environment: 'development', services };
  return { found: true, stack, provenance, read };
}

/**
 * Reads `folder` within `limits` and infers its stack. Never throws for what the folder holds.
 * `hasTool`: whether `yarn`/`bun` is installed (default: on this machine's PATH).
 */
export function inferStack(folder: string, limits: ReadLimits = DEFAULT_READ_LIMITS, hasTool: HasTool = (tool) => onPath(tool)): InferenceResult {
  const { files, truncated } = readProjectFiles(folder, limits);
  return inferFromFiles(files, { truncated, hasTool });
}
