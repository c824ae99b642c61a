// dependsOn from the variables a service's own code reads that name another service of the stack
// (`process.env.API_URL`, `import.meta.env.VITE_API_URL`, `os.environ["REDIS_HOST"]`,
// `MANITO_SERVER_PORT`): the code says it reaches that service, whatever the two services' roles. Pure.
import type { Draft } from './drafts';
import { ownerOf } from './portEvidence';
import { isEnvFile } from './scanRules';

export interface NamedReference {
  from: Draft;
  to: Draft;
  /** The variable as the code spells it. */
  variable: string;
  /** `client/vite.config.mjs:4 MANITO_SERVER_PORT`. */
  at: string;
}

const envName = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every (service, other service) pair that the first's own source files name, once each, in file order. */
export function namedReferences(drafts: Draft[], files: ReadonlyMap<string, string>): NamedReference[] {
  const apps = drafts.filter((d) => d.role !== 'backing');
  if (drafts.length < 2 || apps.length === 0) return [];
  // One pattern for all: the framework's public prefix, or Manito's own name, then the service's name and what of it is read.
  const names = new Map(drafts.map((d) => [envName(d.name), d]));
  const alternatives = [...names.keys()].filter((n) => n.length > 0).sort((a, b) => b.length - a.length).map(escape).join('|');
  const pattern = new RegExp(String.raw`\b(?:MANITO_|VITE_|NEXT_PUBLIC_|REACT_APP_|PUBLIC_|NUXT_PUBLIC_)?(${alternatives})_(?:PORT|URL|URI|HOST|ADDR|ADDRESS|ORIGIN|ENDPOINT|BASE_URL)\b`, 'g');
  const out: NamedReference[] = [];
  const seen = new Set<string>();
  for (const [file, text] of files) {
    if (!text || isEnvFile(file) || !/\.(c|m)?(j|t)sx?$|\.(py|vue|svelte|astro)$/.test(file)) continue;
    const from = ownerOf(drafts, file, /vite\.config/.test(file) ? 'frontend' : 'backend');
    if (!from) continue;
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      for (const m of line.matchAll(pattern)) {
        const to = names.get(m[1]!);
        if (!to || to === from) continue;
        const key = `${drafts.indexOf(from)}>${drafts.indexOf(to)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ from, to, variable: m[0], at: `${file}:${i + 1} ${m[0]}` });
      }
    });
  }
  return out;
}
