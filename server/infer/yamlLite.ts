// The part of YAML that docker-compose files and pnpm-workspace.yaml use: block mappings and
// sequences by indentation, flow sequences, quoted and plain scalars, block scalars, comments.
// Anchors, tags and multi-line flow collections are read as plain text. Total: never throws.

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue } | null;

interface Line {
  indent: number;
  text: string;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

/** Cuts a trailing ` # comment` that is not inside quotes. */
function stripComment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) { if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) return s.slice(0, i).trimEnd();
  }
  return s.trimEnd();
}

function splitFlow(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const c of inner) {
    if (quote) { cur += c; if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    if (c === '[' || c === '{') depth++;
    if (c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => p.trim());
}

function scalar(raw: string): YamlValue {
  const t = raw.trim();
  if (t === '' || t === '~' || t === 'null') return null;
  if (t.startsWith('[') && t.endsWith(']')) return splitFlow(t.slice(1, -1)).map(scalar);
  if (t.startsWith('{') && t.endsWith('}')) {
    const obj: Record<string, YamlValue> = {};
    for (const part of splitFlow(t.slice(1, -1))) {
      const m = /^("[^"]*"|'[^']*'|[^:]+):\s*(.*)$/.exec(part);
      if (m) obj[unquote(m[1]!)] = scalar(m[2]!);
    }
    return obj;
  }
  return unquote(t);
}

const KEY = /^("[^"]*"|'[^']*'|[^\s"'#][^:#]*?)\s*:(?:\s+(.*)|)$/;

export function parseYaml(text: string): YamlValue {
  const lines: Line[] = [];
  for (const raw of text.split(/\r?\n/).slice(0, 20_000)) {
    if (/^\s*(#|$)/.test(raw) || /^(---|\.\.\.)\s*$/.test(raw)) { lines.push({ indent: -1, text: '' }); continue; }
    lines.push({ indent: raw.length - raw.trimStart().length, text: stripComment(raw.trim()) });
  }
  let i = 0;
  const skipBlank = () => { while (i < lines.length && lines[i]!.indent < 0) i++; };

  /** Lines of a block scalar (`|`, `>`): every following line indented deeper than `indent`. */
  function blockScalar(indent: number): string {
    const parts: string[] = [];
    while (i < lines.length && (lines[i]!.indent < 0 || lines[i]!.indent > indent)) parts.push(lines[i++]!.text);
    return parts.join('\n').trim();
  }

  function value(rest: string | undefined, indent: number): YamlValue {
    if (rest === undefined || rest === '') {
      skipBlank();
      const next = lines[i];
      if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith('- ')))) return node(next.indent);
      return null;
    }
    if (/^[|>][+-]?\d*$/.test(rest)) return blockScalar(indent);
    return scalar(rest);
  }

  function node(indent: number): YamlValue {
    skipBlank();
    const first = lines[i];
    if (!first) return null;
    if (first.text === '-' || first.text.startsWith('- ')) {
      const list: YamlValue[] = [];
      while (i < lines.length) {
        skipBlank();
        const l = lines[i];
        if (!l || l.indent !== indent || !(l.text === '-' || l.text.startsWith('- '))) break;
        const item = l.text.slice(1).trim();
        i++;
        const km = /^[\w.-]+\s*:(\s|$)/.test(item) ? KEY.exec(item) : null;
        if (km) {
          // `- key: value` starts a mapping whose further keys sit two columns in.
          const obj: Record<string, YamlValue> = {};
          const inner = indent + (l.text.length - item.length);
          obj[unquote(km[1]!)] = value(km[2], inner);
          skipBlank();
          if (lines[i] && lines[i]!.indent === inner && !lines[i]!.text.startsWith('- ')) Object.assign(obj, node(inner));
          list.push(obj);
        } else {
          list.push(item === '' ? value(undefined, indent) : scalar(item));
        }
      }
      return list;
    }
    const obj: Record<string, YamlValue> = {};
    while (i < lines.length) {
      skipBlank();
      const l = lines[i];
      if (!l || l.indent !== indent) break;
      const m = KEY.exec(l.text);
      i++;
      if (!m) continue;
      obj[unquote(m[1]!)] = value(m[2], indent);
    }
    return obj;
  }

  try {
    skipBlank();
    return node(lines[i]?.indent ?? 0);
  } catch {
    return null;
  }
}

export const isMap = (v: YamlValue | undefined): v is Record<string, YamlValue> => typeof v === 'object' && v !== null && !Array.isArray(v);
