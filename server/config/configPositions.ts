// Turns what is wrong with manito.json into places in the file: jsonc-parser syntax errors by
// offset, and validation errors by JSON path (`services.client.preferred[1]`) via the parse tree.
import { findNodeAtLocation, printParseErrorCode, type Node, type ParseError, type Segment } from 'jsonc-parser';
import type { ConfigError } from '../../protocol/model';

/** A ConfigError with the end of its range, for editor diagnostics. Lines and columns are 1-based. */
export interface ConfigProblem extends ConfigError {
  endLine: number;
  endColumn: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

/** `services.client.preferred[1]` -> ['services', 'client', 'preferred', 1]. Quoted keys (`services["a.b"]`) are kept whole. */
export function parseJsonPath(path: string): Segment[] {
  const segments: Segment[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) segments.push(Number(m[1]));
    else if (m[2] !== undefined) segments.push(m[2].replace(/\\(.)/g, '$1'));
    else segments.push(m[3]);
  }
  return segments;
}

function problemAt(lines: LineIndex, message: string, start: number, length: number, path?: string): ConfigProblem {
  const from = lines.position(start);
  const to = lines.position(start + Math.max(length, 1));
  return { message, line: from.line, column: from.column, endLine: to.line, endColumn: to.column, ...(path ? { path } : {}) };
}

export function syntaxProblems(text: string, errors: ParseError[]): ConfigProblem[] {
  const lines = new LineIndex(text);
  return errors.map((e) => problemAt(lines, `Syntax error: ${describeParseError(printParseErrorCode(e.error))}`, e.offset, e.length));
}

function describeParseError(code: string): string {
  // 'PropertyNameExpected' -> 'property name expected'
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Places a validation error: at the value the path names, or, when that value is missing, at the
 * property name of its nearest existing parent (so "services.api.command is required" points at "api").
 */
export function validationProblem(_text: string, root: Node | undefined, lines: LineIndex, message: string, path: string,
  given?: Segment[], atKey = false): ConfigProblem {
  if (!root) return problemAt(lines, message, 0, 1, path);
  const segments = given ?? parseJsonPath(path);
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segments.slice(0, n));
    if (!node) continue;
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    if (atKey && n === segments.length && key) return problemAt(lines, message, key.offset, key.length, path);
    // A property's value: point at its key, which is what a person reads as "the setting".
    const target = n === segments.length ? node : node.parent?.type === 'property' ? node.parent.children?.[0] ?? node : node;
    return problemAt(lines, message, target.offset, n === segments.length ? node.length : target.length, path);
  }
  return problemAt(lines, message, root.offset, 1, path);
}

export function toConfigError(problem: ConfigProblem): ConfigError {
  const { message, line, column, path } = problem;
  return path ? { message, line, column, path } : { message, line, column };
}
