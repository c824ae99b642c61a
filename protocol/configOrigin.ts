// The words every surface (tree, status bar, dashboard, `manito status`) uses for where the served
// stack comes from, and the one action that saves an inferred stack as manito.json.
import type { ConfigOrigin, ConfigSource } from './model';

/** The editor command that asks the host to write the served stack as manito.json. */
export const SAVE_INFERRED_COMMAND = 'manito.saveInferredConfig';
export const SAVE_INFERRED_TITLE = 'Save Inferred Stack as manito.json';

/** How many files a label names before it says "and N more". */
const FILES_IN_LABEL = 4;

/** The file an inference source names first: `client/package.json scripts.dev (Vite)` is `client/package.json`. */
export function sourceFile(from: string): string {
  return (from.split(' ')[0] ?? from).replace(/:\d+$/, '');
}

export function inferredOrigin(from: Iterable<string>): ConfigOrigin {
  const files = [...new Set([...from].map(sourceFile))];
  const named = files.slice(0, FILES_IN_LABEL).join(', ');
  const more = files.length > FILES_IN_LABEL ? ` and ${files.length - FILES_IN_LABEL} more` : '';
  return { label: `inferred from ${named}${more}`, files };
}

export function defaultOrigin(detail?: string): ConfigOrigin {
  return { label: 'embedded default: nothing found', files: [], ...(detail ? { detail } : {}) };
}

export function fileOrigin(source: ConfigSource): ConfigOrigin {
  return { label: source === 'none' ? 'manito.json (invalid: no service served)' : 'manito.json', files: [] };
}

/** Whether the one "save as manito.json" action applies: the stack is served without a file. */
export function isSavable(source: ConfigSource): boolean {
  return source === 'inferred' || source === 'default';
}
