// Turns the text of manito.json into a value, within bounds: a file too large is refused unread,
// nesting too deep, lists too long and files with too many values are found by a flat scan before the (recursive) parser ever sees it, and
// syntax errors are counted, not all listed. Whatever the text, the answer comes in one pass.
import { getNodeValue, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { CONFIG_BOUNDS } from '../../protocol/configBounds';
import { CONFIG_FILE_NAME } from '../../protocol/config';
import { LineIndex, syntaxProblems, type ConfigProblem } from './configPositions';

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

/** Characters that end a bare token (number, literal or garbage). */
function endsBareToken(c: number): boolean {
  return c <= 32 || c === 44 || c === 58 || c === 91 || c === 93 || c === 123 || c === 125 || c === 34 || c === 47;
}

/**
 * The first place where the text's shape passes a bound (nesting, entries of one object or list,
 * values in all), found by one flat pass over the characters that keeps no tree: any depth, any
 * size. Strings and comments are skipped as JSONC reads them; the parser judges everything else.
 */
export function shapeProblem(text: string, B: { maxDepth: number; maxEntries: number; maxValues: number } = CONFIG_BOUNDS,
  /** Filled with the number of object keys read (for the duplicate-key check of the fast path). */
  counts: { keys: number } = { keys: 0 }): { offset: number; message: string } | undefined {
  // Each open container: its entries so far, and for an object whether a key comes next.
  const open: Array<{ object: boolean; entries: number; keyNext: boolean }> = [];
  const tooMany = (offset: number) => ({ offset, message: `More than ${B.maxEntries} entries in one object or list` });
  let values = 0;
  const n = text.length;
  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    if (c <= 32) { i++; continue; }
    if (c === 47 && text.charCodeAt(i + 1) === 47) { const end = text.indexOf('\n', i + 2); i = end < 0 ? n : end + 1; continue; }
    if (c === 47 && text.charCodeAt(i + 1) === 42) { const end = text.indexOf('*/', i + 2); i = end < 0 ? n : end + 2; continue; }
    const top = open[open.length - 1];
    if (c === 44) { if (top?.object) top.keyNext = true; i++; continue; }
    if (c === 58 || c === 47) { i++; continue; }
    if (c === 125 || c === 93) { open.pop(); i++; continue; }
    const start = i;
    if (c === 34) {
      // A string ends at its closing quote, or (unterminated) at the line's end, as the parser reads it.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) { i++; break; } else if (d === 10 || d === 13) break;
      }
      if (top?.object && top.keyNext) {
        top.keyNext = false;
        counts.keys++;
        if (++top.entries > B.maxEntries) return tooMany(start);
        continue; // a key, not a value
      }
    } else if (c === 123 || c === 91) {
      i++;
    } else {
      for (i++; i < n && !endsBareToken(text.charCodeAt(i)); i++);
    }
    if (++values > B.maxValues) return { offset: start, message: `More than ${B.maxValues} values in the file; a manito.json needs far fewer` };
    if (top && !top.object && ++top.entries > B.maxEntries) return tooMany(start);
    if (c === 123 || c === 91) {
      open.push({ object: c === 123, entries: 0, keyNext: true });
      if (open.length > B.maxDepth) return { offset: start, message: `Nesting deeper than ${B.maxDepth} levels (a manito.json needs 5)` };
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
