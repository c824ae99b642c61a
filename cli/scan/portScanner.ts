// Finds what in a project bypasses the allocator: ports written into source and config
// (`listen(3000)`, `localhost:5173`, vite `server.port`, docker-compose `ports:`, `.env` PORT=),
// each with its 1-based line and column, and proposes manito.json services from them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceConfig, ServiceKind, StackConfig } from '../../protocol/config';
import { PORTS_DATA_KEYS } from '../../protocol/http';

export type FindingKind = 'listen' | 'url' | 'vite-port' | 'compose-port' | 'env-port' | 'cli-flag';

export interface Finding {
  /** Relative to the scanned folder, `/`-separated. */
  path: string;
  line: number;
  column: number;
  kind: FindingKind;
  port: number;
  /** The matched text, e.g. `listen(3000)`. */
  match: string;
  /** What a person reads next to `path:line:col`. */
  message: string;
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'build', 'coverage', '.cache', '.next', '.turbo', '.venv', '__pycache__']);
const SOURCE_EXT = /\.(c|m)?(j|t)sx?$|\.(py|go|rb|rs|java|kt|php|cs|sh|vue|svelte|astro)$/;
const CONFIG_EXT = /\.(json|jsonc|ya?ml|toml|ini|conf)$/;
const MAX_BYTES = 512 * 1024;

function isCandidate(name: string): boolean {
  return SOURCE_EXT.test(name) || CONFIG_EXT.test(name) || /^\.env(\..+)?$/.test(name) || name === 'Dockerfile' || name === 'Procfile';
}

/** Files worth reading under `root`, sorted, skipping dependency and build folders. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(full);
      } else if (entry.isFile() && isCandidate(entry.name) && entry.name !== 'manito.json' && !/lock\.(json|ya?ml)$|^package-lock\.json$/.test(entry.name)) {
        out.push(full);
      }
    }
  };
  walk(root);
  return out.sort();
}

const validPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

interface Rule {
  kind: FindingKind;
  applies: (file: string) => boolean;
  pattern: RegExp;
  /** Index of the port's capture group. */
  group: number;
  message: (port: number, match: string, context: LineContext) => string;
}

interface LineContext {
  /** docker-compose: the service the `ports:` entry belongs to. */
  composeService?: string;
}

const base = (file: string) => path.basename(file);
const isVite = (file: string) => /^vite\.config\.(c|m)?(j|t)s$/.test(base(file));
const isCompose = (file: string) => /^(docker-)?compose([.-].*)?\.ya?ml$/.test(base(file));
const isEnv = (file: string) => /^\.env(\..+)?$/.test(base(file));
const isCode = (file: string) => SOURCE_EXT.test(file);

const RULES: Rule[] = [
  {
    kind: 'listen', applies: isCode, pattern: /\blisten\(\s*(\d{2,5})\b/g, group: 1,
    message: (port) => `listen(${port}): hard-coded listen port; use process.env.PORT`,
  },
  {
    kind: 'vite-port', applies: isVite, pattern: /\bport\s*:\s*(\d{2,5})\b/g, group: 1,
    message: (port) => `vite server.port ${port}: use the manitoVite() plugin (strict allocated port)`,
  },
  {
    kind: 'compose-port', applies: isCompose, pattern: /(?<=^\s*-\s*["']?)(?:[\d.]+:)?(\d{2,5})(?:-\d+)?:\d{2,5}(?:\/\w+)?(?=["']?\s*$)/g, group: 1,
    message: (port, _m, ctx) => {
      const svc = ctx.composeService ?? 'service';
      return `docker-compose ports ${port} (${svc}): use "\${${composeVariable(svc)}:-${port}}:<container port>"`;
    },
  },
  {
    kind: 'env-port', applies: isEnv, pattern: /^\s*(?:export\s+)?[A-Z0-9_]*PORT\s*=\s*["']?(\d{2,5})["']?\s*$/g, group: 1,
    message: (_port, match) => `.env ${match.trim().replace(/^export\s+/, '')}: fixed port; Manito sets PORT and MANITO_<SERVICE>_PORT`,
  },
  {
    kind: 'cli-flag', applies: (f) => base(f) === 'package.json' || /\.sh$/.test(f) || base(f) === 'Procfile',
    pattern: /(?:--port[= ]|\s-p\s)(\d{2,5})\b/g, group: 1,
    message: (_port, match) => `${match.trim()}: fixed port on a command line; use \${port} in manito.json`,
  },
  {
    kind: 'url', applies: (f) => !isCompose(f),
    pattern: /\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]):(\d{2,5})\b/g, group: 1,
    message: (_port, match) => `${match}: hard-coded URL; read the port from the Manito ports client or MANITO_<SERVICE>_PORT`,
  },
];

function composeVariable(service: string): string {
  return `MANITO_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
}

/** Tracks which compose service a line belongs to (two-space or deeper keys under `services:`). */
function composeServiceAt(lines: string[], index: number): string | undefined {
  for (let i = index; i >= 0; i--) {
    const m = /^( {2}|\t)([A-Za-z0-9_.-]+):\s*$/.exec(lines[i]!);
    if (m) return m[2];
  }
  return undefined;
}

export function scanText(relPath: string, text: string): Finding[] {
  const rules = RULES.filter((r) => r.applies(relPath));
  if (rules.length === 0) return [];
  const lines = text.split(/\r?\n/);
  const findings: Finding[] = [];
  lines.forEach((line, i) => {
    const taken = new Set<number>();
    for (const rule of rules) {
      rule.pattern.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = rule.pattern.exec(line))) {
        const port = Number(m[rule.group]);
        // Column of the match's first non-blank character, 1-based.
        const column = m.index + (m[0].length - m[0].trimStart().length) + 1;
        if (!validPort(port) || taken.has(column)) continue;
        // A vite port already reported as `localhost:N` on the same line is one finding, not two.
        if (rule.kind === 'url' && findings.some((f) => f.line === i + 1 && f.port === port)) continue;
        taken.add(column);
        const context: LineContext = rule.kind === 'compose-port' ? { composeService: composeServiceAt(lines, i) } : {};
        findings.push({ path: relPath, line: i + 1, column, kind: rule.kind, port, match: m[0].trim(), message: rule.message(port, m[0], context) });
      }
    }
  });
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

export function scanDirectory(root: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of listFiles(root)) {
    let text: string;
    try {
      if (fs.statSync(file).size > MAX_BYTES) continue;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\u0000')) continue;
    findings.push(...scanText(path.relative(root, file).split(path.sep).join('/'), text));
  }
  return findings;
}

const KIND_BY_PORT: Record<number, ServiceKind> = { 5432: 'postgres', 6379: 'redis', 9090: 'prometheus' };

/** One service per port that something listens on; URLs and flags only point at those. */
export function proposeStack(findings: Finding[]): StackConfig {
  const services: Record<string, ServiceConfig> = {};
  const byPort = new Map<number, string>();
  const add = (wanted: string, port: number, config: ServiceConfig) => {
    if (byPort.has(port)) return;
    let base = wanted.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'service';
    // A docker-compose service may be called `environment` or `urls`, keys /api/ports already uses.
    if (PORTS_DATA_KEYS.includes(base)) base = `${base}-service`;
    let name = base;
    for (let i = 2; Object.hasOwn(services, name); i++) name = `${base}-${i}`;
    services[name] = { preferred: [port, port + 1, port + 2], ...config };
    byPort.set(port, name);
  };
  for (const f of findings.filter((x) => x.kind === 'vite-port')) {
    const dir = path.posix.dirname(f.path);
    add(services.client ? path.posix.basename(dir) : 'client', f.port, {
      kind: 'vite', command: 'npx vite --port ${port} --strictPort', ...(dir !== '.' ? { cwd: dir } : {}),
    });
  }
  for (const f of findings.filter((x) => x.kind === 'listen')) {
    const dir = path.posix.dirname(f.path);
    const stem = dir === '.' ? path.posix.basename(f.path).replace(/\.\w+$/, '') : path.posix.basename(dir);
    add(services.server ? stem : 'server', f.port, {
      kind: 'http', command: `node ${dir === '.' ? f.path : path.posix.relative(dir, f.path)}`, ...(dir !== '.' ? { cwd: dir } : {}),
    });
  }
  for (const f of findings.filter((x) => x.kind === 'compose-port')) {
    const svc = /\(([^)]+)\)/.exec(f.message)?.[1] ?? 'service';
    const kind = KIND_BY_PORT[f.port];
    add(svc, f.port, { ...(kind ? { kind } : { kind: 'tcp' }), description: `docker-compose service ${svc}` });
  }
  // The client proxies to the server: it starts after it.
  if (services.client && services.server) {
    services.client.dependsOn = ['server'];
    services.client.conflicts = ['server'];
    services.server.conflicts = ['client'];
  }
  return { strategy: 'minimal', environment: 'development', services };
}
