// Bounds on a YAML text before and after it is parsed. The parser recurses once per nesting level
// and slows to seconds on a deep flow nest (`[[[[...`), so flow nesting is measured first with a
// cheap scan; the parsed tree is then walked (iteratively) for depth and node count.
import type { Node } from 'yaml';
import { yaml } from './yamlLib';

export interface Position { line: number; column: number }

/**
 * The first place where flow collections (`[` / `{`) nest deeper than `max`, if any. A bracket
 * opens a flow collection only where a value can start (line start, after `- `, `: `, `? `, or
 * inside another flow collection); quoted text and comments are skipped.
 */
export function deepFlowAt(text: string, max: number): Position | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let valueStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      valueStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    if ((c === '"' || c === "'") && (valueStart || depth > 0)) {
      i = closingQuote(text, i, c);
      valueStart = false;
      continue;
    }
    if ((c === '[' || c === '{') && (valueStart || depth > 0)) {
      depth++;
      if (depth > max) return { line, column: i - lineStart + 1 };
      valueStart = true;
      continue;
    }
    if ((c === ']' || c === '}') && depth > 0) {
      depth--;
      valueStart = false;
      continue;
    }
    const next = text[i + 1];
    const separated = next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r';
    valueStart = ((c === '-' || c === ':' || c === '?') && separated) || (depth > 0 && (c === ',' || c === ':'));
  }
  return undefined;
}

/** Index of the quote that closes the scalar opened at `start` (or the text's end). */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}

export interface TreeSize { depth: number; nodes: number; deepest?: Node }

/** Depth and node count of a parsed tree, stopping early once either passes its bound. */
export function measureTree(root: Node | null, maxDepth: number, maxNodes: number): TreeSize {
  const { isAlias, isCollection, isPair, isScalar } = yaml();
  const size: TreeSize = { depth: 0, nodes: 0 };
  const stack: Array<[Node, number]> = root ? [[root, 1]] : [];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    size.nodes++;
    if (depth > size.depth) {
      size.depth = depth;
      size.deepest = node;
    }
    if (size.depth > maxDepth || size.nodes > maxNodes) break;
    if (isScalar(node) || isAlias(node)) continue;
    if (isCollection(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          if (item.key && typeof item.key === 'object') stack.push([item.key as Node, depth + 1]);
          if (item.value && typeof item.value === 'object') stack.push([item.value as Node, depth + 1]);
        } else if (item && typeof item === 'object') stack.push([item as Node, depth + 1]);
      }
    }
  }
  return size;
}
