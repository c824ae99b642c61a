// The apps a folder's package.json files start: at the root, in npm/pnpm/yarn workspaces and in
// the usual layouts (client/, server/, apps/*, ...), one per package and role (a dev server, an
// API), with the framework read from the script, the dependencies and the config files. Pure.
import * as path from 'node:path';
import { FRAMEWORKS, commandWithPort, frameworkEnv, hasPortFlag, runScript, type FrameworkSpec, type PackageManager, type Role } from './frameworkPorts';
import { isMap, parseYaml } from './yamlLite';

export interface AppCandidate {
  /** Folder of the package, `''` for the root. */
  dir: string;
  /** The name it suggests: its folder, or for a root package its entry's folder or role. */
  name: string;
  framework: FrameworkSpec;
  role: Role;
  /** With `${port}`. */
  command: string;
  /** `client/package.json scripts.dev (Vite)`. */
  from: string;
  /** A node entry file, relative to the project root. */
  entry?: string;
  /** A port the script itself writes (`vite --port 5173`). */
  scriptPort?: number;
  /** Variables the framework needs to run headless, with why. */
  env?: Record<string, { value: string; why: string }>;
}

/** Whether a tool (`yarn`, `bun`) is installed; inference itself reads nothing. */
export type HasTool = (tool: string) => boolean;

interface PackageJson {
  name?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  workspaces?: unknown;
  packageManager?: unknown;
}

/** Folders where a project usually keeps one app each. */
export const USUAL_LAYOUTS = ['client', 'server', 'frontend', 'backend', 'web', 'api', 'app', 'apps/*', 'packages/*', 'services/*'];
/** Scripts that start something, most telling first. */
const SCRIPT_ORDER = ['dev', 'develop', 'start:dev', 'dev:server', 'serve', 'server', 'start', 'client', 'api', 'web', 'backend', 'frontend', 'watch'];
/** Scripts that run several others: their parts are inferred where they live. */
const RUNS_OTHERS = /(^|[\s;&|])(concurrently|npm-run-all|run-p|run-s|turbo|nx|lerna)\b|--prefix\b|--filter\b|\s-F\s|\byarn workspace\b|\bpnpm\s+-r\b/;

const SCRIPT_FRAMEWORKS: Array<[RegExp, string]> = [
  [/\breact-router\s+dev\b/, 'react-router'], [/\bremix\s+vite:dev\b/, 'remix'], [/\bsvelte-kit\s+dev\b/, 'sveltekit'],
  [/\bastro\s+dev\b|^astro$/, 'astro'], [/\bnuxi?\s+dev\b/, 'nuxt'], [/\bnext\s+dev\b/, 'next'], [/\bng\s+serve\b/, 'angular'],
  [/\bstorybook\s+dev\b|\bstart-storybook\b/, 'storybook'], [/\bexpo\s+start\b/, 'expo'], [/\bgatsby\s+develop\b/, 'gatsby'],
  [/\breact-scripts\s+start\b/, 'cra'], [/\bvue-cli-service\s+serve\b/, 'vue-cli'], [/\bwebpack(-dev-server|\s+serve)\b/, 'webpack'],
  [/\bnest\s+start\b/, 'nest'], [/\bvite(\s+(dev|serve)\b|\s*$|\s+--)/, 'vite'], [/\bfastify\s+start\b/, 'fastify'],
];
const NODE_RUNNER = /\b(node|nodemon|ts-node|ts-node-dev|tsx|bun|babel-node)\b/;
/** A node entry argument: a file with a script extension, or a path (`src/bin/server`). */
const ENTRY = /(?:^|\s)((?:\.\/)?[\w@./-]+\.(?:[cm]?[jt]s)|(?:\.\/)?[\w@.-]+\/[\w@./-]+)(?=\s|$)/g;
const BACKEND_DEPS: Array<[string, string]> = [['@nestjs/core', 'nest'], ['fastify', 'fastify'], ['koa', 'koa'], ['hono', 'hono'], ['express', 'express']];

function parseJson(text: string | undefined): PackageJson | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as PackageJson : null;
  } catch {
    return null;
  }
}

/** `apps/*` matches `apps/web`; `packages/**` any depth; anything else exactly. */
function matchesGlob(dir: string, glob: string): boolean {
  const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  if (g.endsWith('/**')) return dir.startsWith(`${g.slice(0, -3)}/`);
  const re = new RegExp(`^${g.split('/').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('/')}$`);
  return re.test(dir);
}

function workspaceGlobs(root: PackageJson | null, files: ReadonlyMap<string, string>): string[] {
  const globs: string[] = [];
  const ws = root?.workspaces;
  const list = Array.isArray(ws) ? ws : isMap(ws as never) && Array.isArray((ws as { packages?: unknown }).packages) ? (ws as { packages: unknown[] }).packages : [];
  for (const g of list) if (typeof g === 'string' && !g.startsWith('!')) globs.push(g);
  const pnpm = files.get('pnpm-workspace.yaml');
  if (pnpm !== undefined) {
    const doc = parseYaml(pnpm);
    const pkgs = isMap(doc) ? doc.packages : undefined;
    if (Array.isArray(pkgs)) for (const g of pkgs) if (typeof g === 'string' && !g.startsWith('!')) globs.push(g);
  }
  return globs;
}

/**
 * The manager that runs the scripts: the lockfile's, unless only a `yarn.lock` or `bun.lock` says so
 * and that tool is not installed, then npm (which reads the same package.json; a pnpm workspace or
 * a declared `packageManager` needs its own tool, so those are kept).
 */
function launchManager(files: ReadonlyMap<string, string>, root: PackageJson | null, hasTool: HasTool): { manager: PackageManager; note: string } {
  const manager = packageManagerOf(files, root);
  const declared = typeof root?.packageManager === 'string';
  if ((manager === 'yarn' || manager === 'bun') && !declared && !hasTool(manager)) return { manager: 'npm', note: `, npm: no ${manager} on PATH` };
  return { manager, note: '' };
}

export function packageManagerOf(files: ReadonlyMap<string, string>, root: PackageJson | null): PackageManager {
  const declared = typeof root?.packageManager === 'string' ? /^(npm|pnpm|yarn|bun)@/.exec(root.packageManager)?.[1] : undefined;
  if (declared) return declared as PackageManager;
  if (files.has('pnpm-lock.yaml') || files.has('pnpm-workspace.yaml')) return 'pnpm';
  if (files.has('yarn.lock')) return 'yarn';
  if (files.has('bun.lockb') || files.has('bun.lock')) return 'bun';
  return 'npm';
}

function frameworkOf(script: string, pkg: PackageJson, files: ReadonlyMap<string, string>, dir: string): FrameworkSpec | null {
  const deps = { ...(pkg.devDependencies ?? {}), ...(pkg.dependencies ?? {}) };
  const has = (name: string) => Object.hasOwn(deps, name);
  let id = SCRIPT_FRAMEWORKS.find(([re]) => re.test(script))?.[1];
  if (id === 'vite') {
    if (has('@sveltejs/kit')) id = 'sveltekit';
    else if (has('@tanstack/react-start') || has('@tanstack/solid-start')) id = 'tanstack-start';
    else if (has('@react-router/dev')) id = 'react-router';
    else if (has('@remix-run/dev')) id = 'remix';
  }
  if (!id && NODE_RUNNER.test(script) && ([...script.matchAll(ENTRY)].length || /^\s*nodemon\s*$/.test(script))) id = BACKEND_DEPS.find(([dep]) => has(dep))?.[1] ?? 'node';
  if (!id && hasPortFlag(script)) return { ...FRAMEWORKS.node!, id: 'script', label: 'a server on a port of its own', portArgs: [] };
  if (!id && /\bvite\b/.test(script) && [...files.keys()].some((f) => f.startsWith(dir ? `${dir}/vite.config.` : 'vite.config.'))) id = 'vite';
  return id ? FRAMEWORKS[id]! : null;
}

/** Root-relative entry file of a node script: its last `.js`/`.ts` argument. */
function entryOf(script: string, dir: string): string | undefined {
  const all = [...script.matchAll(ENTRY)].map((m) => m[1]!.replace(/^\.\//, ''));
  const last = all[all.length - 1];
  return last ? path.posix.join(dir || '.', last) : undefined;
}

/** The usual-layout folder a root script's entry lives in (`server` for `server/index.js`), or `''`. */
function entryFolder(entry: string): string {
  const top = entry.includes('/') ? entry.split('/')[0]! : '';
  return USUAL_LAYOUTS.includes(top) ? top : '';
}

function nameFor(dir: string, role: Role, entry: string | undefined, pkgName: unknown): string {
  if (dir) return path.posix.basename(dir);
  const top = entry ? entryFolder(entry) : '';
  if (top) return top;
  if (typeof pkgName === 'string' && pkgName) return pkgName.replace(/^@[^/]+\//, '');
  return role === 'frontend' ? 'client' : 'server';
}

/** The package folders worth a look: the root, the workspaces and the usual layouts. */
export function packageDirs(files: ReadonlyMap<string, string>, extraDirs: readonly string[] = []): string[] {
  const root = parseJson(files.get('package.json'));
  const globs = [...workspaceGlobs(root, files), ...USUAL_LAYOUTS, ...extraDirs.filter((d) => d !== '')];
  const dirs = [...files.keys()].filter((f) => path.posix.basename(f) === 'package.json').map((f) => path.posix.dirname(f));
  return dirs.filter((d) => d === '.' || globs.some((g) => matchesGlob(d, g))).map((d) => (d === '.' ? '' : d));
}

/** `extraDirs`: more folders to look in (docker-compose build contexts). */
export function packageApps(files: ReadonlyMap<string, string>, extraDirs: readonly string[] = [], hasTool: HasTool = () => true): AppCandidate[] {
  const root = parseJson(files.get('package.json'));
  const { manager, note } = launchManager(files, root, hasTool);
  const apps: AppCandidate[] = [];
  for (const dir of packageDirs(files, extraDirs)) {
    const file = dir ? `${dir}/package.json` : 'package.json';
    const pkg = parseJson(files.get(file));
    if (!pkg || !pkg.scripts || typeof pkg.scripts !== 'object') continue;
    // One app per role, or per folder for root scripts that start `server/...` and `client/...`.
    const taken = new Set<string>();
    const names = SCRIPT_ORDER.filter((s) => typeof pkg.scripts![s] === 'string');
    for (const scriptName of names) {
      const body = pkg.scripts[scriptName] as string;
      if (RUNS_OTHERS.test(body)) continue;
      const framework = frameworkOf(body, pkg, files, dir);
      if (!framework) continue;
      const entry = ['node', 'express', 'fastify', 'koa', 'hono'].includes(framework.id) ? entryOf(body, dir) : undefined;
      const slot = `${framework.role} ${entry && !dir ? entryFolder(entry) : ''}`;
      if (taken.has(slot)) continue;
      if (entry && /(^|\/)(dist|build|out)\//.test(entry) && names.some((n) => n !== scriptName && !/(^|\/)(dist|build|out)\//.test(pkg.scripts![n] as string))) continue;
      taken.add(slot);
      const simple = !/&&|\|\||[;|]/.test(body) && !/\b(npm|pnpm|yarn|bun)\b/.test(body);
      const command = hasPortFlag(body) && simple ? commandWithPort(`npx ${body}`, framework) : commandWithPort(runScript(manager, scriptName), framework);
      const scriptPort = /(?:--port|-p)(?:=|\s+)(\d{4,5})\b/.exec(body)?.[1];
      const env = frameworkEnv(framework, { ...(pkg.devDependencies ?? {}), ...(pkg.dependencies ?? {}) });
      apps.push({
        dir, name: nameFor(dir, framework.role, entry, pkg.name), framework, role: framework.role, command,
        from: `${file} scripts.${scriptName} (${framework.label}${command.startsWith('npm') ? note : ''})`,
        ...(entry ? { entry } : {}), ...(scriptPort ? { scriptPort: Number(scriptPort) } : {}),
        ...(Object.keys(env).length ? { env } : {}),
      });
    }
  }
  // Two apps started from the root package: named for their role, not twice for the package.
  const atRoot = apps.filter((a) => a.dir === '' && !(a.entry && entryFolder(a.entry)));
  if (apps.filter((a) => a.dir === '').length > 1) for (const a of atRoot) a.name = a.role === 'frontend' ? 'client' : 'server';
  return apps;
}
