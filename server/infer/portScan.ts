// Finds what in a project bypasses the allocator: ports written into source and config, each with
// its 1-based line and column (of the match, clickable) and the column of the literal (what a fix
// replaces). Pure: it reads the texts projectFiles.ts gathered.
import { RULES, isCompose, isEnvFile, isPython, isScript, type FindingKind, type LineContext } from './scanRules';

export type { FindingKind } from './scanRules';

export interface Finding {
  /** Relative to the scanned folder, `/`-separated. */
  path: string;
  line: number;
  column: number;
  /** 1-based column of the port's digits. */
  portColumn: number;
  kind: FindingKind;
  port: number;
  /** The matched text, e.g. `listen(3000`. */
  match: string;
  /** What a person reads next to `path:line:col`. */
  message: string;
  /** docker-compose: the service whose `ports:` or `environment:` holds it. */
  service?: string;
  /** .env files: the variable set on that line. */
  variable?: string;
}

/** Ports below 1024 are privileged (a dev server cannot take them) or container-internal. */
const isDevPort = (n: number) => Number.isInteger(n) && n >= 1024 && n <= 65535;

function isCommentLine(file: string, line: string): boolean {
  const t = line.trimStart();
  if (t.startsWith('//') || t.startsWith('/*') || t.startsWith('* ') || t === '*' || t.startsWith('<!--')) return true;
  const hashComments = isPython(file) || isEnvFile(file) || /\.(ya?ml|toml|sh)$|(^|\/)Procfile/.test(file);
  return hashComments && t.startsWith('#');
}

/** For each line of a YAML file: the keys it stands under (by indentation), `services.<name>.<section>` in compose. */
function composeContexts(lines: string[]): LineContext[] {
  const stack: Array<{ indent: number; key: string }> = [];
  return lines.map((line) => {
    const t = line.trim();
    if (t && !t.startsWith('#')) {
      const indent = line.length - line.trimStart().length;
      const key = /^([A-Za-z0-9_.-]+|"[^"]*"|'[^']*')\s*:(?:\s|$)/.exec(t)?.[1];
      if (key !== undefined || !t.startsWith('-')) while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
      if (key !== undefined) stack.push({ indent, key: key.replace(/^["']|["']$/g, '') });
    }
    if (stack[0]?.key !== 'services') return {};
    return { composeService: stack[1]?.key, composeSection: stack[2]?.key };
  });
}

export function scanText(relPath: string, text: string): Finding[] {
  // A template (`config.json.example`) is scanned as the file it stands for.
  const asPath = relPath.replace(/(?<=\.\w+)\.(example|sample|dist|template)$/, '');
  const rules = RULES.filter((r) => r.applies(asPath) && !r.skipText?.(text));
  if (rules.length === 0) return [];
  const lines = text.split(/\r?\n/);
  const contexts: LineContext[] = isCompose(relPath) ? composeContexts(lines) : lines.map(() => ({}));
  const findings: Finding[] = [];
  lines.forEach((line, i) => {
    if (isCommentLine(relPath, line)) return;
    const taken = new Set<number>();
    const context = contexts[i]!;
    for (const rule of rules) {
      if (rule.where && !rule.where(context)) continue;
      rule.pattern.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = rule.pattern.exec(line))) {
        const port = Number(m.groups!.port);
        const portColumn = m.indices!.groups!.port![0] + 1;
        if (!isDevPort(port) || taken.has(portColumn)) continue;
        taken.add(portColumn);
        const column = m.index + (m[0].length - m[0].trimStart().length) + 1;
        const finding: Finding = { path: relPath, line: i + 1, column, portColumn, kind: rule.kind, port, match: m[0].trim(), message: rule.message(port, m[0], context) };
        if (context.composeService) finding.service = context.composeService;
        const variable = isEnvFile(relPath) ? /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1] : undefined;
        if (variable) finding.variable = variable;
        findings.push(finding);
      }
    }
  });
  if (isScript(relPath)) findings.push(...listenConstants(relPath, lines, findings));
  return findings.sort((a, b) => a.line - b.line || a.portColumn - b.portColumn);
}

/** `const SERVER = 8000; ... app.listen(SERVER)`: the constant's literal, when a rule has not already found it. */
function listenConstants(relPath: string, lines: string[], found: Finding[]): Finding[] {
  const names = new Set<string>();
  for (const line of lines) for (const m of line.matchAll(/\blisten\(\s*([A-Za-z_$][\w$]*)\s*[,)]/g)) names.add(m[1]!);
  const out: Finding[] = [];
  for (const name of names) {
    const decl = new RegExp(String.raw`\b(?:const|let|var)\s+${name.replace(/\$/g, '\\$')}\s*(?::\s*\w+\s*)?=\s*(?<port>\d{4,5})\b`, 'd');
    lines.forEach((line, i) => {
      const m = decl.exec(line);
      if (!m || isCommentLine(relPath, line)) return;
      const port = Number(m.groups!.port);
      const portColumn = m.indices!.groups!.port![0] + 1;
      if (!isDevPort(port) || found.some((f) => f.line === i + 1 && f.portColumn === portColumn)) return;
      out.push({ path: relPath, line: i + 1, column: m.index + 1, portColumn, kind: 'const-port', port, match: m[0], message: `${m[0]}: the port listen(${name}) takes` });
    });
  }
  return out;
}

/** Every finding of every file, in the files' order. */
export function scanFiles(files: ReadonlyMap<string, string>): Finding[] {
  const out: Finding[] = [];
  for (const [rel, text] of files) out.push(...scanText(rel, text));
  return out;
}
