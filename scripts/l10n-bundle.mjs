// Writes l10n/bundle.l10n.json: every string the extension passes to vscode.l10n.t (and to the
// Translate parameter of its pure wording modules), plus the dashboard's table in
// protocol/dashboardStrings.ts. Translators copy it to bundle.l10n.<locale>.json.
// `--check` exits non-zero when the committed bundle is out of date (the unit tier runs it).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundlePath = join(root, 'l10n', 'bundle.l10n.json');

/** The value of a single- or double-quoted TypeScript string literal. */
function literal(text) {
  const quote = text[0];
  return text.slice(1, -1).replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c === quote || c === '\\' ? c : `\\${c}`));
}

const STRING = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`;

export function collectMessages() {
  const messages = new Set();
  const dir = join(root, 'extension');
  const call = new RegExp(String.raw`(?:\bl10n\.t|(?<![.\w])t)\(\s*` + STRING, 'g');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) {
    for (const m of readFileSync(join(dir, name), 'utf8').matchAll(call)) messages.add(literal(m[1]));
  }
  const table = readFileSync(join(root, 'protocol', 'dashboardStrings.ts'), 'utf8');
  const body = table.slice(table.indexOf('DASHBOARD_STRINGS = {'), table.indexOf('} as const'));
  for (const m of body.matchAll(new RegExp(String.raw`^\s+\w+:\s*` + STRING + ',', 'gm'))) messages.add(literal(m[1]));
  return Object.fromEntries([...messages].sort().map((m) => [m, m]));
}

const text = JSON.stringify(collectMessages(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(bundlePath, 'utf8'); } catch { /* missing: out of date */ }
  if (current !== text) {
    console.error('l10n/bundle.l10n.json is out of date: run `node scripts/l10n-bundle.mjs`');
    process.exit(1);
  }
} else {
  writeFileSync(bundlePath, text);
  console.log(`${bundlePath}: ${Object.keys(JSON.parse(text)).length} strings`);
}
