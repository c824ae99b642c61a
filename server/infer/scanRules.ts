// The table of what a hard-coded port looks like, per kind of file: each rule is one regular
// expression applied line by line, whose `port` group is the literal. Pure; portScan.ts runs it.
import * as path from 'node:path';
import { servicePortVariable } from '../../protocol/config';

export type FindingKind =
  | 'listen' | 'url' | 'vite-port' | 'compose-port' | 'env-port' | 'cli-flag'
  | 'env-default' | 'option-port' | 'const-port';

/** Where in a docker-compose file a line stands: `services.<service>.<section>`. */
export interface LineContext {
  composeService?: string;
  composeSection?: string;
}

export interface Rule {
  kind: FindingKind;
  applies: (file: string) => boolean;
  /** Has a named group `port`; the `d` flag gives its position. */
  pattern: RegExp;
  /** Not applied to a file whose whole text says so. */
  skipText?: (text: string) => boolean;
  /** Only lines whose context passes (compose: which section of which service). */
  where?: (context: LineContext) => boolean;
  message: (port: number, match: string, context: LineContext) => string;
}

const base = (file: string) => path.posix.basename(file);
export const isViteConfig = (file: string) => /^vite(st)?\.config\.(c|m)?(j|t)s$/.test(base(file));
export const isCompose = (file: string) => /^(docker-|podman-)?compose([.-].*)?\.ya?ml$|^docker-stack([.-].*)?\.ya?ml$/.test(base(file));
export const isEnvFile = (file: string) => /^\.env([.-].+)?$|^\.?(example|sample)[.-]env$|^env\.(example|sample)$/.test(base(file));
export const isPython = (file: string) => /\.py$/.test(file);
export const isScript = (file: string) => /\.(c|m)?(j|t)sx?$|\.(vue|svelte|astro)$/.test(file);
const isCode = (file: string) => isScript(file) || isPython(file);
const isJson = (file: string) => /\.jsonc?$/.test(file) && base(file) !== 'package.json';
const isCommandLine = (file: string) => base(file) === 'package.json' || /\.sh$/.test(file) || /^Procfile(\.\w+)?$/.test(base(file));

function composeMessage(port: number, _match: string, c: LineContext): string {
  const svc = c.composeService ?? 'service';
  return `docker-compose ports ${port} (${svc}): use "\${${servicePortVariable(svc)}:-${port}}:<container port>"`;
}

const P = '(?<port>\\d{4,5})';
const ENV_READ = String.raw`(?:process\.env(?:\.\w+|\[\s*['"]\w+['"]\s*\])|import\.meta\.env\.\w+|Bun\.env\.\w+|Deno\.env\.get\([^)]*\))`;

export const RULES: Rule[] = [
  {
    kind: 'listen', applies: isScript, pattern: new RegExp(String.raw`\blisten\(\s*${P}\b`, 'dg'),
    message: (port) => `listen(${port}): hard-coded listen port; read process.env.PORT`,
  },
  {
    kind: 'vite-port', applies: isViteConfig, pattern: new RegExp(String.raw`\bport\s*:\s*${P}\b`, 'dg'),
    message: (port) => `vite server.port ${port}: use the manitoVite() plugin (strict allocated port)`,
  },
  {
    // `- "8080:80"`, `- 127.0.0.1:8080:80`, `- "${WEB_PORT:-8080}:80"`: the host side only.
    kind: 'compose-port', applies: isCompose,
    pattern: new RegExp(String.raw`(?<=^\s*-\s*["']?(?:[\d.]+:)?|\$\{\w+:-)${P}(?=(?:-\d+)?\}?:\d{2,5}(?:-\d+)?(?:/\w+)?["']?\s*$)`, 'dg'),
    where: (c) => c.composeSection === 'ports',
    message: composeMessage,
  },
  {
    // Long syntax: `published: 8080`.
    kind: 'compose-port', applies: isCompose, pattern: new RegExp(String.raw`(?<=^\s*-?\s*published:\s*["']?)${P}(?=["']?\s*$)`, 'dg'),
    where: (c) => c.composeSection === 'ports',
    message: composeMessage,
  },
  {
    kind: 'env-port', applies: isEnvFile, pattern: new RegExp(String.raw`^\s*(?:export\s+)?[A-Za-z0-9_]*PORT\s*=\s*["']?${P}["']?\s*$`, 'dg'),
    message: (_port, match) => `.env ${match.trim().replace(/^export\s+/, '')}: fixed port; Manito sets PORT and MANITO_<SERVICE>_PORT`,
  },
  {
    // `process.env.PORT || 8000`, `parseInt(process.env.DB_PORT || "5432")`, `Number(process.env.PORT) || 3000`.
    kind: 'env-default', applies: isScript,
    pattern: new RegExp(String.raw`${ENV_READ}\s*\)?\s*(?:\|\||\?\?)\s*['"\`]?${P}\b`, 'dg'),
    message: (port, match) => `${match.trim()}: port ${port} when the variable is unset`,
  },
  {
    // `const port = config.port || 3000`, Joi/zod `PORT: Joi.number().default(3000)`.
    kind: 'env-default', applies: isScript,
    pattern: new RegExp(String.raw`\b\w*(?:port|PORT|Port)\w*\b[^=:\n]*[=:][^;\n]*?(?:(?:\|\||\?\?)\s*['"]?|\.default\(\s*['"]?)${P}\b`, 'dg'),
    message: (port, match) => `${match.trim()}: port ${port} when nothing else is set`,
  },
  {
    kind: 'env-default', applies: isPython,
    pattern: new RegExp(String.raw`\b(?:os\.environ\.get|os\.getenv|environ\.get|getenv|env\.int|env)\(\s*['"]\w+['"]\s*,\s*(?:default\s*=\s*)?['"]?${P}\b`, 'dg'),
    message: (port, match) => `${match.trim()}: port ${port} when the variable is unset`,
  },
  {
    kind: 'const-port', applies: isScript,
    pattern: new RegExp(String.raw`\b(?:const|let|var)\s+\w*(?:port|PORT|Port)\w*\s*(?::\s*\w+\s*)?=\s*['"]?${P}\b`, 'dg'),
    message: (port, match) => `${match.trim()}: hard-coded port ${port}`,
  },
  {
    kind: 'const-port', applies: isPython,
    pattern: new RegExp(String.raw`^\s*\w*(?:port|PORT|Port)\w*\s*(?::\s*int\s*)?=\s*['"]?${P}\b`, 'dg'),
    message: (port, match) => `${match.trim()}: hard-coded port ${port}`,
  },
  {
    // Client and server option objects (`port: 6379` for redis, pg, mysql, mongoose, knex), Python `port=5000`.
    kind: 'option-port', applies: (f) => isCode(f) || isJson(f),
    pattern: new RegExp(String.raw`(?:\bport|["']port["'])\s*[:=]\s*['"]?${P}\b`, 'dgi'),
    message: (port, match) => `${match.trim()}: hard-coded port ${port} in an options object`,
  },
  {
    kind: 'option-port', applies: isScript, pattern: new RegExp(String.raw`\bnew\s+(?:Redis|IORedis|Memcached)\(\s*${P}\b`, 'dg'),
    message: (port, match) => `${match.trim()}: hard-coded port ${port}`,
  },
  {
    kind: 'cli-flag', applies: (f) => isCommandLine(f) || isPython(f),
    pattern: new RegExp(String.raw`(?:--port[= ]\s*|\s-p[= ]?\s*|\bPORT=|\brunserver\s+(?:[\w.]+:)?|(?:-b|--bind)[= ]\s*[\w.]*:)${P}\b`, 'dg'),
    message: (_port, match) => `${match.trim()}: fixed port on a command line; use \${port} in manito.json`,
  },
  {
    // node-config, Spring-style and other YAML/TOML settings: `port: 3000`; never compose files, nor
    // Kubernetes manifests, whose ports are the cluster's.
    kind: 'option-port', applies: (f) => /\.(ya?ml|toml)$/.test(f) && !isCompose(f),
    skipText: (text) => /^apiVersion:/m.test(text) && /^kind:/m.test(text),
    pattern: new RegExp(String.raw`^\s*port\s*[:=]\s*["']?${P}["']?\s*$`, 'dg'),
    message: (port, match) => `${match.trim()}: hard-coded port ${port} in a settings file`,
  },
  {
    kind: 'url', applies: () => true,
    // Also a host computed in a template literal: `http://${localhost}:3000`.
    pattern: new RegExp(String.raw`(?:\b(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])|(?<=\/\/)\$\{[\w.?]+\}):${P}\b`, 'dg'),
    where: (c) => c.composeService === undefined || c.composeSection === 'environment',
    message: (_port, match) => `${match}: hard-coded URL; read the port from the Manito ports client or MANITO_<SERVICE>_PORT`,
  },
];
