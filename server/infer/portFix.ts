// The edits that make hard-coded ports read the environment, in each file's language: Node reads
// `process.env.MANITO_<SERVICE>_PORT`, Vite client code `import.meta.env.VITE_<SERVICE>_PORT`
// (which the client's service then needs in its env), Python `os.environ.get(...)`, docker-compose
// `${MANITO_<SERVICE>_PORT:-N}`. Pure: `manito scan --fix` and the editor's Quick Fix share it.
import { servicePortVariable } from '../../protocol/config';
import { craProxyFile, isCraProxy, type CreatedFile } from './craProxy';
import type { Finding } from './portScan';
import { isCompose, isPython, isScript, isViteConfig } from './scanRules';

export interface PortEdit {
  path: string;
  /** 1-based line; columns 1-based, end exclusive, on that line. */
  line: number;
  startColumn: number;
  endColumn: number;
  newText: string;
  finding: Finding;
}

/** An `env` entry the fixed code needs in manito.json (Vite exposes only `VITE_*` variables to the browser). */
export interface EnvNeed {
  service: string;
  variable: string;
  value: string;
}

export interface FixPlan {
  edits: PortEdit[];
  /** Lines added at the top of a file (`import os`), by path. */
  prepend: Record<string, string[]>;
  /** New files (Create React App's src/setupProxy.js), never written over an existing one. */
  create: CreatedFile[];
  env: EnvNeed[];
  /** Findings left as they are, and why. */
  skipped: Array<{ finding: Finding; reason: string }>;
}

export interface FixContext {
  /** The service that owns a port, from the inferred (or configured) stack. */
  serviceForPort: (port: number) => string | undefined;
  /** The service whose files hold `path` (for Vite client code: which service needs the variable). */
  serviceForFile: (path: string) => { name: string; vite: boolean } | undefined;
}

const FIXED_KINDS = new Set<Finding['kind']>(['listen', 'const-port', 'option-port', 'url', 'compose-port', 'vite-port']);
const viteVariable = (service: string) => `VITE_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;

/** The string literal around columns [start, end) of `line`: its quote and bounds (0-based, end exclusive). */
function enclosingString(line: string, start: number): { quote: string; open: number; close: number } | null {
  let quote = '';
  let open = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') { i++; continue; }
      if (c === quote) {
        if (open < start && i >= start) return { quote, open, close: i + 1 };
        quote = '';
      }
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      open = i;
    }
  }
  return null;
}

function nodeRead(variable: string, port: number): string {
  return `process.env.${variable} ?? ${port}`;
}

/** The edit for one finding, or why there is none. */
function editFor(f: Finding, lineText: string, service: string, client: { name: string; vite: boolean } | undefined, plan: FixPlan): PortEdit | string {
  const digits = { line: f.line, startColumn: f.portColumn, endColumn: f.portColumn + String(f.port).length };
  const variable = servicePortVariable(service);
  if (isCompose(f.path)) {
    if (lineText.slice(0, f.portColumn - 1).endsWith(':-')) return 'already reads the environment';
    if (f.kind !== 'compose-port') return 'a URL in compose environment: point it at the service with ${ports.<name>} in manito.json instead';
    return { path: f.path, ...digits, newText: `\${${variable}:-${f.port}}`, finding: f };
  }
  if (isPython(f.path)) {
    const read = `os.environ.get("${variable}", "${f.port}")`;
    if (f.kind === 'url') {
      const s = enclosingString(lineText, f.portColumn - 1);
      const body = s ? lineText.slice(s.open + 1, s.close - 1) : '';
      if (!s || s.quote === '`' || /[{}\\]/.test(body) || /[A-Za-z]$/.test(lineText.slice(0, s.open))) return 'the URL is not a plain string literal';
      // "http://localhost:8000/x" becomes f"http://localhost:{os.environ.get('MANITO_API_PORT', '8000')}/x".
      const at = f.portColumn - 1 - (s.open + 1);
      const inner = read.replace(/"/g, s.quote === '"' ? "'" : '"');
      plan.prepend[f.path] ??= [];
      return { path: f.path, line: f.line, startColumn: s.open + 1, endColumn: s.close + 1, newText: `f${s.quote}${body.slice(0, at)}{${inner}}${body.slice(at + String(f.port).length)}${s.quote}`, finding: f };
    }
    plan.prepend[f.path] ??= [];
    return { path: f.path, ...digits, newText: `int(${read})`, finding: f };
  }
  if (!isScript(f.path)) return 'not source code: set the port in manito.json (command with ${port}, env with ${ports.<name>})';
  const browser = client?.vite === true && !isViteConfig(f.path);
  const read = browser ? `import.meta.env.${viteVariable(service)} ?? ${f.port}` : nodeRead(variable, f.port);
  if (browser) plan.env.push({ service: client!.name, variable: viteVariable(service), value: `\${ports.${service}}` });
  if (f.kind !== 'url') return { path: f.path, ...digits, newText: `Number(${read})`, finding: f };
  const s = enclosingString(lineText, f.portColumn - 1);
  if (!s) return 'the URL is not inside a string literal';
  if (s.quote === '`') return { path: f.path, ...digits, newText: `\${${read}}`, finding: f };
  // 'http://localhost:8000/x' becomes `http://localhost:${...}/x`.
  const body = lineText.slice(s.open + 1, s.close - 1);
  const at = f.portColumn - 1 - (s.open + 1);
  const escaped = (t: string) => t.replace(/\\(["'])/g, '$1').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const text = `\`${escaped(body.slice(0, at))}\${${read}}${escaped(body.slice(at + String(f.port).length))}\``;
  return { path: f.path, line: f.line, startColumn: s.open + 1, endColumn: s.close + 1, newText: text, finding: f };
}

export function planFixes(findings: Finding[], files: ReadonlyMap<string, string>, context: FixContext): FixPlan {
  const plan: FixPlan = { edits: [], prepend: {}, create: [], env: [], skipped: [] };
  for (const f of findings) {
    if (!FIXED_KINDS.has(f.kind)) {
      plan.skipped.push({ finding: f, reason: f.kind === 'env-default' ? 'already reads the environment' : 'a setting, not code: Manito sets these through manito.json' });
      continue;
    }
    const service = (f.kind === 'compose-port' ? f.service && context.serviceForPort(f.port) : undefined) ?? context.serviceForPort(f.port);
    if (!service) {
      plan.skipped.push({ finding: f, reason: 'no service of the stack has this port' });
      continue;
    }
    if (isCraProxy(f, files)) {
      const made = craProxyFile(f, files, service);
      if (typeof made === 'string') plan.skipped.push({ finding: f, reason: made });
      else if (plan.create.some((c) => c.path === made.path)) plan.skipped.push({ finding: f, reason: `${made.path} is written once` });
      else plan.create.push(made);
      continue;
    }
    const lineText = files.get(f.path)?.split(/\r?\n/)[f.line - 1] ?? '';
    const edit = editFor(f, lineText, service, context.serviceForFile(f.path), plan);
    if (typeof edit === 'string') plan.skipped.push({ finding: f, reason: edit });
    else if (plan.edits.some((e) => e.path === edit.path && e.line === edit.line && e.startColumn < edit.endColumn && edit.startColumn < e.endColumn)) {
      plan.skipped.push({ finding: f, reason: 'overlaps another edit on the same line' });
    } else plan.edits.push(edit);
  }
  for (const file of Object.keys(plan.prepend)) {
    const text = files.get(file) ?? '';
    plan.prepend[file] = /^\s*import\s+os\b|^\s*import\s+.*\bos\b/m.test(text) ? [] : ['import os'];
    if (plan.prepend[file]!.length === 0) delete plan.prepend[file];
  }
  plan.env = plan.env.filter((e, i) => plan.env.findIndex((x) => x.service === e.service && x.variable === e.variable) === i);
  return plan;
}

/** `text` with the edits of its file applied (right to left on each line) and its prepended lines. */
export function applyEdits(text: string, edits: PortEdit[], prepend: string[] = []): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const sorted = [...edits].sort((a, b) => a.line - b.line || b.startColumn - a.startColumn);
  for (const e of sorted) {
    const line = lines[e.line - 1];
    if (line === undefined) continue;
    lines[e.line - 1] = line.slice(0, e.startColumn - 1) + e.newText + line.slice(e.endColumn - 1);
  }
  return [...prepend, ...lines].join(eol);
}
