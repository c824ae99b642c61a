// Turns the text of manito.json into a value, within bounds: a file too large is refused unread,
// nesting too deep is found by a flat token scan before the (recursive) parser ever sees it, and
// syntax errors are counted, not all listed. Whatever the text, the answer comes in one pass.
import { createScanner, getNodeValue, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { CONFIG_BOUNDS } from '../../protocol/configBounds';
import { CONFIG_FILE_NAME } from '../../protocol/config';
import { LineIndex, syntaxProblems, type ConfigProblem } from './configPositions';

// jsonc-parser's SyntaxKind is a const enum, which isolated modules cannot read.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const EOF = 17;

export type ParsedText =
  | { ok: true; root: Node; value: unknown; lines: LineIndex }
  | { ok: false; problems: ConfigProblem[] };

export function oneProblem(message: string, lines?: LineIndex, offset = 0): ConfigProblem {
  const at = lines?.position(offset) ?? { line: 1, column: 1 };
  return { message, line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1 };
}

/** The first `max` problems, then one at the next of them that counts the rest (`total` when only some were placed). */
export function capProblems(problems: ConfigProblem[], total = problems.length, max: number = CONFIG_BOUNDS.maxReportedErrors): ConfigProblem[] {
  if (total <= max) return problems;
  const { message: _message, path: _path, ...at } = problems[max] ?? problems[problems.length - 1]!;
  return [...problems.slice(0, max), { ...at, message: `and ${total - max} more problems` }];
}

export function tooLarge(bytes: number): ConfigProblem {
  return oneProblem(`${CONFIG_FILE_NAME} is ${bytes} bytes; at most ${CONFIG_BOUNDS.maxFileBytes} are read`);
}

/** Offset of the first bracket that opens a level deeper than maxDepth, or -1. Iterative: any depth. */
export function tooDeepAt(text: string, maxDepth = CONFIG_BOUNDS.maxDepth): number {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      if (++depth > maxDepth) return scanner.getTokenOffset();
    } else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

export function parseBounded(text: string): ParsedText {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_BOUNDS.maxFileBytes) return { ok: false, problems: [tooLarge(bytes)] };
  const deep = tooDeepAt(text);
  const lines = new LineIndex(text);
  if (deep >= 0) {
    return { ok: false, problems: [oneProblem(`Nesting deeper than ${CONFIG_BOUNDS.maxDepth} levels (a manito.json needs 5)`, lines, deep)] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    // Placed only as many as are shown: a garbage file has one error every few bytes.
    return { ok: false, problems: capProblems(syntaxProblems(text, errors.slice(0, CONFIG_BOUNDS.maxReportedErrors + 1)), errors.length) };
  }
  if (!root) return { ok: false, problems: [oneProblem('Syntax error: value expected (the file is empty)')] };
  return { ok: true, root, value: getNodeValue(root), lines };
}
