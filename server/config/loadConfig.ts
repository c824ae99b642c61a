// Reads manito.json (JSON with comments) at the workspace root, falls back to the embedded default
// stack, watches the file, and keeps serving the last good config while the file on disk is broken.
// A file broken since the host started serves no service at all: the user is writing a stack of
// their own, and the default's six would hold the common ports of every other window meanwhile.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_BOUNDS } from '../../protocol/configBounds';
import { CONFIG_FILE_NAME, DEFAULT_STACK, type StackConfig } from '../../protocol/config';
import { defaultOrigin, fileOrigin } from '../../protocol/configOrigin';
import type { ConfigOrigin, ConfigSource } from '../../protocol/model';
import type { ServiceProvenance } from '../../protocol/inference';
import { validationProblem, type ConfigProblem } from './configPositions';
import { capProblems, oneProblem, parseBounded, shapeProblem, tooLarge } from './configText';
import { validateStack } from './validateStack';
import { duplicateKeyProblems, keyCount } from './duplicateKeys';

const NO_SERVICES: StackConfig = { services: {} };

export interface PathError { path: string; segments?: Array<string | number>; message: string; atKey?: boolean }
/** Checks a parsed manito.json; returns every problem with the JSON path of the offending value. */
export type StackValidator = (value: unknown, options: { workspace?: string }) => PathError[];

export interface ConfigState {
  /** The config the host serves: the file's, the last good one while the file is broken, the default, or none. */
  stack: StackConfig;
  source: ConfigSource;
  origin: ConfigOrigin;
  /** `inferred`: why each service is there (server/infer). */
  provenance?: Record<string, ServiceProvenance>;
  /** The file's path, whether or not it exists. */
  path: string;
  exists: boolean;
  /** Problems of the file on disk; empty when it is valid or absent. */
  problems: ConfigProblem[];
}

export interface ReadResult {
  exists: boolean;
  stack?: StackConfig;
  problems: ConfigProblem[];
}

/**
 * Parses and validates one manito.json text. `stack` is set only when there are no problems.
 * Total: whatever the text, problems with positions come back, never an exception.
 */
export function parseConfigText(text: string, validate: StackValidator = validateStack, workspace?: string): ReadResult {
  try {
    const options = workspace === undefined ? {} : { workspace };
    // Fast path, for the common file that is plain JSON and valid: V8's parser (iterative, so any
    // depth) and no parse tree. Comments, trailing commas and every problem take the bounded path,
    // which places problems by line and column.
    // The same bounds hold on both paths, so whether a file has comments never decides whether it is accepted.
    // A repeated key makes the parsed value hold fewer keys than the text: then the bounded path places it.
    const counts = { keys: 0 };
    if (Buffer.byteLength(text, 'utf8') <= CONFIG_BOUNDS.maxFileBytes && !shapeProblem(text, CONFIG_BOUNDS, counts)) {
      let value: unknown;
      try { value = JSON.parse(text); } catch { value = undefined; }
      if (value !== undefined && keyCount(value) === counts.keys && validate(value, options).length === 0) return { exists: true, problems: [], stack: value as StackConfig };
    }
    const parsed = parseBounded(text);
    if (!parsed.ok) return { exists: true, problems: parsed.problems };
    const { root, value, lines } = parsed;
    // Every problem in one pass: repeated keys and what the schema and the stack rules say, in the file's order.
    const duplicates = duplicateKeyProblems(root, lines);
    const errors = validate(value, options);
    if (errors.length > 0 || duplicates.length > 0) {
      const shown = errors.slice(0, CONFIG_BOUNDS.maxReportedErrors + 1).map((e) => validationProblem(text, root, lines, e.message, e.path, e.segments, e.atKey));
      const all = [...duplicates, ...shown].sort((x, y) => x.line - y.line || x.column - y.column);
      return { exists: true, problems: capProblems(all, duplicates.length + errors.length) };
    }
    // Plain objects from here on: the parser's are null-prototype, which code downstream need not expect.
    return { exists: true, problems: [], stack: JSON.parse(JSON.stringify(value)) as StackConfig };
  } catch (error) {
    return { exists: true, problems: [oneProblem(`${CONFIG_FILE_NAME} could not be checked: ${(error as Error)?.message ?? String(error)}`)] };
  }
}

/** Reads at most the bound: a larger file is refused by its size, unread. Undefined when it does not exist. */
export function readBounded(file: string): { text: string } | { problem: ConfigProblem } | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size > CONFIG_BOUNDS.maxFileBytes) return { problem: tooLarge(size) };
    return { text: fs.readFileSync(fd, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { problem: oneProblem(`Cannot read ${CONFIG_FILE_NAME}: ${(error as Error).message}`) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function readConfigFile(file: string, validate: StackValidator = validateStack, workspace?: string): ReadResult {
  const read = readBounded(file);
  if (!read) return { exists: false, problems: [] };
  if ('problem' in read) return { exists: true, problems: [read.problem] };
  return parseConfigText(read.text, validate, workspace);
}

/** What is served while there is no manito.json: an inferred stack, or the embedded default. */
export type AbsentConfig = Pick<ConfigState, 'stack' | 'source' | 'origin' | 'provenance'>;

export interface ConfigWatcherOptions {
  workspace: string;
  validate?: StackValidator;
  debounceMs?: number;
  /** Adds services from outside manito.json (a compose file's) to every stack served; manito.json's names win. */
  extend?: (stack: StackConfig, provenance?: ConfigState['provenance']) => StackConfig;
  /** Called whenever manito.json is (or becomes) absent. Default: the embedded default stack. */
  whenAbsent?: () => AbsentConfig;
}

/** Owns the current ConfigState; calls listeners after every reload whose outcome differs. */
export class ConfigWatcher {
  readonly file: string;
  private current: ConfigState;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** What the last reload saw: the text, a refusal (too large, unreadable) or null when absent. */
  private lastText: string | null | undefined;
  private onError: ((error: Error) => void) | undefined;
  private readonly listeners = new Set<(state: ConfigState, previous: ConfigState) => void>();

  constructor(private readonly options: ConfigWatcherOptions) {
    this.file = path.join(options.workspace, CONFIG_FILE_NAME);
    this.current = { stack: DEFAULT_STACK, source: 'default', origin: defaultOrigin(), path: this.file, exists: false, problems: [] };
    this.reload();
  }

  get state(): ConfigState { return this.current; }

  onChange(listener: (state: ConfigState, previous: ConfigState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches the folder, not the file: editors save by rename, and the file may not exist yet. */
  watch(onError: (error: Error) => void): void {
    if (this.watcher) return;
    this.onError = onError;
    try {
      this.watcher = fs.watch(this.options.workspace, { persistent: false }, (_event, name) => {
        if (name === null || name.toString() === CONFIG_FILE_NAME) this.schedule();
      });
      this.watcher.on('error', onError);
    } catch (error) {
      onError(error as Error);
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload();
    }, this.options.debounceMs ?? 100);
    this.timer.unref();
  }

  /**
   * Re-reads the file now; returns whether anything changed. Never throws: a bad file is a problem to
   * report. `force`: serve it again though its text is the same, because what `extend` adds changed.
   */
  reload(force = false): boolean {
    const read = readBounded(this.file);
    const seen = read === undefined ? null : 'text' in read ? read.text : `\0${read.problem.message}`;
    if (seen === this.lastText && !force) return false;
    this.lastText = seen;
    const previous = this.current;
    const result: ReadResult = read === undefined ? { exists: false, problems: [] }
      : 'problem' in read ? { exists: true, problems: [read.problem] }
      : parseConfigText(read.text, this.options.validate, this.options.workspace);
    if (!result.exists) {
      const absent = this.options.whenAbsent?.() ?? { stack: DEFAULT_STACK, source: 'default', origin: defaultOrigin() };
      this.current = { ...absent, path: this.file, exists: false, problems: [] };
    } else if (result.stack) {
      this.current = { stack: result.stack, source: 'file', origin: fileOrigin('file'), path: this.file, exists: true, problems: [] };
    } else if (previous.source !== 'file') {
      // Broken, and never valid while this host ran: serve nothing rather than the default or an inference.
      this.current = { stack: NO_SERVICES, source: 'none', origin: fileOrigin('none'), path: this.file, exists: true, problems: result.problems };
    } else {
      // Broken file: keep serving what was served, report the problems.
      this.current = { stack: previous.stack, source: previous.source, origin: previous.origin, path: this.file, exists: true, problems: result.problems };
    }
    // A kept stack was extended already; extending again adds nothing and returns it unchanged.
    // An inferred stack's provenance lets the extension replace what it infers of the same compose services.
    if (this.options.extend && this.current.source !== 'none') {
      this.current = { ...this.current, stack: this.options.extend(this.current.stack, this.current.source === 'file' ? undefined : this.current.provenance) };
    }
    // A listener that throws must not take the watcher (and the timer that called it) down.
    for (const listener of this.listeners) {
      try {
        listener(this.current, previous);
      } catch (error) {
        this.onError?.(error as Error);
      }
    }
    return true;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
    this.listeners.clear();
  }
}
