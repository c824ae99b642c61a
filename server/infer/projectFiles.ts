// Reads the few files of a project that say what runs there and on which port, within limits
// (depth, file count, bytes), skipping dependency, build and tool folders. The only I/O of
// inference and scanning: everything after it is a pure function of the returned texts.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ReadLimits {
  /** Folder levels below the root that are entered (the root is 0). */
  maxDepth: number;
  /** Files read at most; the walk is breadth-first, so the top of the project comes first. */
  maxFiles: number;
  /** A larger file is skipped (minified or generated code, data). */
  maxFileBytes: number;
  /** Bytes read in all. */
  maxTotalBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxDepth: 6, maxFiles: 3000, maxFileBytes: 256 * 1024, maxTotalBytes: 24 * 1024 * 1024 };

export interface ProjectFiles {
  /** Relative path (`/`-separated) to text, in walk order. */
  files: Map<string, string>;
  /** True when a limit stopped the reading before every candidate file was read. */
  truncated: boolean;
  /** Candidate files over maxFileBytes, not read: a scan says so rather than pass over them in silence. */
  tooLarge: string[];
}

/** Dependency, build, cache, VCS, editor and CI folders: none of them says how the stack runs on this machine. */
export const SKIP_DIRS = new Set([
  'node_modules', '.git', '.hg', '.svn', 'dist', 'out', 'build', 'coverage', '.cache', '.next', '.nuxt', '.output', '.svelte-kit',
  '.turbo', '.vercel', '.netlify', '.expo', '.angular', '.parcel-cache', 'vendor', 'bower_components', 'target', '.venv', 'venv',
  'env', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache', 'site-packages', '.idea', '.vscode', '.github', '.circleci',
  '.gitlab', '.devcontainer', 'storybook-static', 'public', 'static', 'assets', 'migrations', 'k8s', 'kubernetes', 'helm', 'charts',
]);

/** Lock files are listed with empty text: which package manager the folder uses. */
const LOCK_FILES = /^(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?)$/;
const SOURCE_EXT = /\.(c|m)?(j|t)sx?$|\.(py|vue|svelte|astro)$/;
const CONFIG_EXT = /\.(json|jsonc|ya?ml|toml)$/;

/** Files worth reading: sources, configs, env files, Procfile; never lock files, minified or declaration files. */
export function isCandidateFile(file: string): boolean {
  // `ormconfig.json.example` is read as the `ormconfig.json` it is the template of.
  const name = file.replace(/(?<=\.\w+)\.(example|sample|dist|template)$/, '');
  if (/^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|.*\.lock|composer\.json|tsconfig.*\.json|manito\.json)$/.test(name)) return false;
  if (/\.(min|d|spec|test|stories)\.[cm]?[jt]sx?$|\.(gen|generated)\.[jt]s$/.test(name)) return false;
  if (/^\.(travis|gitlab-ci)\.ya?ml$|^(renovate|\.?eslintrc.*|\.?prettierrc.*|biome|turbo|vercel|netlify|app|eas|components|lerna|nx)\.json$/.test(name)) return false;
  return SOURCE_EXT.test(name) || CONFIG_EXT.test(name) || /^\.env([.-].+)?$|^\.?(example|sample)[.-]env$|^env\.(example|sample)$/.test(name) || name === 'Procfile' || /^Procfile\.\w+$/.test(name);
}

/** Reads the candidate files under `root` within `limits`; unreadable entries are skipped, never thrown. */
export function readProjectFiles(root: string, limits: ReadLimits = DEFAULT_READ_LIMITS): ProjectFiles {
  const files = new Map<string, string>();
  const tooLarge: string[] = [];
  let total = 0;
  let truncated = false;
  let queue: Array<[string, number]> = [['', 0]];
  while (queue.length) {
    const next: Array<[string, number]> = [];
    for (const [rel, depth] of queue) {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const child = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (SKIP_DIRS.has(entry.name) || (entry.name.startsWith('.') && entry.name !== '.config')) continue;
          if (depth + 1 > limits.maxDepth) truncated = true;
          else next.push([child, depth + 1]);
          continue;
        }
        if (!entry.isFile()) continue;
        if (LOCK_FILES.test(entry.name)) {
          // Only their presence matters (which package manager the folder uses).
          files.set(child, '');
          continue;
        }
        if (!isCandidateFile(entry.name)) continue;
        if (files.size >= limits.maxFiles) return { files, truncated: true, tooLarge };
        const text = readSmallText(path.join(root, child), limits.maxFileBytes);
        if (text === TOO_LARGE) tooLarge.push(child);
        if (typeof text !== 'string') continue;
        if (total + text.length > limits.maxTotalBytes) return { files, truncated: true, tooLarge };
        total += text.length;
        files.set(child, text);
      }
    }
    queue = next;
  }
  return { files, truncated, tooLarge };
}

const TOO_LARGE = Symbol('too large');

/** The file's text; TOO_LARGE over maxBytes; null when binary or unreadable. */
function readSmallText(file: string, maxBytes: number): string | typeof TOO_LARGE | null {
  try {
    if (fs.statSync(file).size > maxBytes) return TOO_LARGE;
    const text = fs.readFileSync(file, 'utf8');
    return text.includes('\u0000') ? null : text;
  } catch {
    return null;
  }
}
