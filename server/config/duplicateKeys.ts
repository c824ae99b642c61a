// Duplicate keys in manito.json: JSON parsers keep the last one in silence, so a second "api"
// service (or a second "command") would quietly replace the first. Each is reported at the later
// key, naming where the first stands. Iterative: no nesting is too deep for it.
import type { Node } from 'jsonc-parser';
import type { LineIndex } from './configPositions';
import type { ConfigProblem } from './configPositions';

export function duplicateKeyProblems(root: Node, lines: LineIndex): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    const seen = new Map<string, Node>();
    for (const child of node.children ?? []) {
      if (node.type === 'object' && child.type === 'property') {
        const key = child.children?.[0];
        if (key && typeof key.value === 'string') {
          const first = seen.get(key.value);
          if (first) {
            const at = lines.position(key.offset);
            const was = lines.position(first.offset);
            const end = lines.position(key.offset + key.length);
            problems.push({
              message: `duplicate key ${JSON.stringify(key.value)}: also at line ${was.line}, column ${was.column}; only the last would count`,
              line: at.line, column: at.column, endLine: end.line, endColumn: end.column,
            });
          } else {
            seen.set(key.value, key);
          }
        }
      }
      stack.push(child);
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Keys in a parsed value (every object's, at every depth): equal to the text's key count only when no key repeats. */
export function keyCount(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) { for (const x of v) stack.push(x); continue; }
    const keys = Object.keys(v);
    count += keys.length;
    for (const k of keys) stack.push((v as Record<string, unknown>)[k]);
  }
  return count;
}
