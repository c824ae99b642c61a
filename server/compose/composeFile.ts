// Finds and reads a workspace's Docker Compose file, bounded like every input: size, flow nesting,
// tree depth, node count and alias expansion. A broken file yields problems with line and column,
// never an exception. The parsed Document is kept so the derived file can keep the user's text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Document, Node } from 'yaml';
import { yaml } from './yamlLib';
import { deepFlowAt, measureTree, type Position } from './yamlBounds';

/** The names Compose looks for, in Compose v2's order of preference. */
export const COMPOSE_FILE_NAMES: readonly string[] = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export const COMPOSE_LIMITS = {
  /** Real compose files are a few KiB; the YAML parser takes seconds on a large pathological one. */
  fileBytes: 256 * 1024,
  depth: 64,
  nodes: 100_000,
  aliases: 1000,
  services: 500,
  portsPerService: 100,
} as const;

export interface ComposeProblem extends Position {
  message: string;
  /** The compose service the problem belongs to; the file's others are still used. */
  service?: string;
}

export interface ComposeDocument {
  file: string;
  /** The folder relative paths in the file are resolved against (the project directory). */
  dir: string;
  doc: Document.Parsed;
  /** The file as plain data, aliases and merge keys resolved. */
  data: unknown;
  /** Where the node at `keys` starts, or the nearest ancestor that exists. */
  positionOf(keys: readonly (string | number)[]): Position;
}

export type ReadResult = { ok: true; document: ComposeDocument } | { ok: false; problems: ComposeProblem[] };

/** The first compose file of `dir` by Compose's names, if any. */
export function findComposeFile(dir: string): string | undefined {
  for (const name of COMPOSE_FILE_NAMES) {
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not there: try the next name.
    }
  }
  return undefined;
}

const at = (message: string, pos: Position = { line: 1, column: 1 }): ReadResult => ({ ok: false, problems: [{ message, ...pos }] });

/** Reads at most the bound (plus one byte to notice more); O_NONBLOCK so a FIFO cannot hang the host. */
function readBounded(file: string): { text: string } | { error: string } {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { error: `${file} is not a regular file` };
    const buffer = Buffer.alloc(Math.min(stat.size, COMPOSE_LIMITS.fileBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (length > COMPOSE_LIMITS.fileBytes) return { error: `${file} is larger than ${COMPOSE_LIMITS.fileBytes / 1024} KiB, more than a compose file Manito reads` };
    return { text: buffer.subarray(0, length).toString('utf8') };
  } catch (error) {
    return { error: `Cannot read ${file}: ${(error as Error).message}` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function readComposeFile(file: string, dir = path.dirname(file)): ReadResult {
  const read = readBounded(file);
  if ('error' in read) return at(read.error);
  return parseComposeText(read.text, file, dir);
}

export function parseComposeText(text: string, file: string, dir: string): ReadResult {
  if (text.length > COMPOSE_LIMITS.fileBytes) return at(`${file} is larger than ${COMPOSE_LIMITS.fileBytes / 1024} KiB, more than a compose file Manito reads`);
  const deep = deepFlowAt(text, COMPOSE_LIMITS.depth);
  if (deep) return at(`${file}: brackets nest deeper than ${COMPOSE_LIMITS.depth} levels`, deep);
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    // `merge`: Compose files use `<<: *defaults`. Unique keys: Compose refuses duplicates too.
    doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    return at(`${file}: ${(error as Error).message}`);
  }
  const pos = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length) {
    return { ok: false, problems: doc.errors.slice(0, 20).map((e) => ({ message: `${file}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, ...pos(e.pos[0]) })) };
  }
  const size = measureTree(doc.contents as Node | null, COMPOSE_LIMITS.depth, COMPOSE_LIMITS.nodes);
  if (size.depth > COMPOSE_LIMITS.depth) return at(`${file}: nested deeper than ${COMPOSE_LIMITS.depth} levels`, pos(size.deepest?.range?.[0] ?? 0));
  if (size.nodes > COMPOSE_LIMITS.nodes) return at(`${file}: more than ${COMPOSE_LIMITS.nodes} values`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: COMPOSE_LIMITS.aliases });
  } catch (error) {
    // Alias expansion past the bound ("billion laughs"), or a merge of something not a map.
    return at(`${file}: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return at(`${file}: a compose file is a mapping with a "services" key`);
  return {
    ok: true,
    document: {
      file, dir, doc, data,
      positionOf(keys) {
        for (let n = keys.length; n >= 0; n--) {
          const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
          const offset = (node as Node | undefined)?.range?.[0];
          if (offset !== undefined) return pos(offset);
        }
        return { line: 1, column: 1 };
      },
    },
  };
}
