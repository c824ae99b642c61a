// Turns the text of manito.json into a value, within bounds: a file too large is refused unread,
// nesting too deep, lists too long and files with too many values are found by a flat token scan before the (recursive) parser ever sees it, and
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
const COMMA = 5;
const NULL = 7;
const TRUE = 8;
const FALSE = 9;
const STRING = 10;
const NUMBER = 11;
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

const VALUE_TOKENS = new Set([OPEN_BRACE, OPEN_BRACKET, NULL, TRUE, FALSE, STRING, NUMBER]);

/**
 * The first place where the text's shape passes a bound (nesting, entries of one object or array,
 * values in all), found by a flat token scan that keeps no tree: any depth, any size, one pass.
 */
export function shapeProblem(text: string, B: { maxDepth: number; maxEntries: number; maxValues: number } = CONFIG_BOUNDS): { offset: number; message: string } | undefined {
  const scanner = createScanner(text, true);
  // Each open container: its entries so far, and for an object whether a key comes next.
  const open: Array<{ object: boolean; entries: number; keyNext: boolean }> = [];
  let values = 0;
  const tooMany = () => ({ offset: scanner.getTokenOffset(), message: `More than ${B.maxEntries} entries in one object or list` });
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    const top = open[open.length - 1];
    if (top?.object && token === COMMA) top.keyNext = true;
    if (top?.object && top.keyNext && token === STRING) {
      top.keyNext = false;
      if (++top.entries > B.maxEntries) return tooMany();
      continue; // a key, not a value
    }
    if (!VALUE_TOKENS.has(token)) {
      if (token === CLOSE_BRACE || token === CLOSE_BRACKET) open.pop();
      continue;
    }
    if (++values > B.maxValues) return { offset: scanner.getTokenOffset(), message: `More than ${B.maxValues} values in the file; a manito.json needs far fewer` };
    if (top && !top.object && ++top.entries > B.maxEntries) return tooMany();
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      open.push({ object: token === OPEN_BRACE, entries: 0, keyNext: true });
      if (open.length > B.maxDepth) return { offset: scanner.getTokenOffset(), message: `Nesting deeper than ${B.maxDepth} levels (a manito.json needs 5)` };
    }
  }
  return undefined;
}

export function parseBounded(text: string): ParsedText {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_BOUNDS.maxFileBytes) return { ok: false, problems: [tooLarge(bytes)] };
  const lines = new LineIndex(text);
  const shape = shapeProblem(text);
  if (shape) return { ok: false, problems: [oneProblem(shape.message, lines, shape.offset)] };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    // Placed only as many as are shown: a garbage file has one error every few bytes.
    return { ok: false, problems: capProblems(syntaxProblems(text, errors.slice(0, CONFIG_BOUNDS.maxReportedErrors + 1)), errors.length) };
  }
  if (!root) return { ok: false, problems: [oneProblem('Syntax error: value expected (the file is empty)')] };
  return { ok: true, root, value: getNodeValue(root), lines };
}
