// Compose's variable substitution, for the few values Manito reads itself (ports, image): `$VAR`,
// `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`. Values come from the
// environment and the project's `.env` file, the environment winning, as Compose does. Everything
// else in the file is left to Compose, which substitutes it when it reads the derived file.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Variables = Readonly<Record<string, string | undefined>>;

/** `${...}` nesting is not followed: a default is taken literally, which covers real files. */
const PATTERN = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Substitutes `text`; throws with Compose's wording for `${VAR:?message}` on an unset variable. */
export function interpolate(text: string, vars: Variables): string {
  return text.replace(PATTERN, (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = vars[name];
    switch (op) {
      case ':-': return value ? value : arg!;
      case '-': return value ?? arg!;
      case ':?': if (!value) throw new Error(`required variable ${name} is missing a value: ${arg || 'not set'}`); return value;
      case '?': if (value === undefined) throw new Error(`required variable ${name} is missing a value: ${arg || 'not set'}`); return value;
      default: return value ?? '';
    }
  });
}

/** The `KEY=value` lines of a .env file: comments, `export `, and single or double quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote));
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    vars[m[1]!] = value;
  }
  return vars;
}

/** The variables Compose would see in `dir`: its .env (bounded, optional) under the environment. */
export function projectVariables(dir: string, env: NodeJS.ProcessEnv): Variables {
  let dotEnv: Record<string, string> = {};
  try {
    const file = path.join(dir, '.env');
    if (fs.statSync(file).size <= 64 * 1024) dotEnv = parseDotEnv(fs.readFileSync(file, 'utf8'));
  } catch {
    // No .env: the environment alone.
  }
  return { ...dotEnv, ...env };
}
