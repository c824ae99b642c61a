// Reads manito.json (JSON with comments) at the workspace root, falls back to the embedded default
// stack, watches the file, and keeps serving the last good config while the file on disk is broken.
// A file broken since the host started serves no service at all: the user is writing a stack of
// their own, and the default's six would hold the common ports of every other window meanwhile.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getNodeValue, parseTree, type ParseError } from 'jsonc-parser';
import { CONFIG_FILE_NAME, DEFAULT_STACK, type StackConfig } from '../../protocol/config';
import { defaultOrigin, fileOrigin } from '../../protocol/configOrigin';
import type { ConfigOrigin, ConfigSource } from '../../protocol/model';
import type { ServiceProvenance } from '../../protocol/inference';
import { LineIndex, syntaxProblems, validationProblem, type ConfigProblem } from './configPositions';

const NO_SERVICES: StackConfig = { services: {} };

export interface PathError { path: string; segments?: Array<string | number>; message: string }
/** Checks a parsed manito.json; returns every problem with the JSON path of the offending value. */
export type StackValidator = (value: unknown) => PathError[];

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

/** Parses and validates one manito.json text. `stack` is set only when there are no problems. */
export function parseConfigText(text: string, validate: StackValidator): ReadResult {
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  if (syntaxErrors.length > 0) return { exists: true, problems: syntaxProblems(text, syntaxErrors) };
  if (!root) return { exists: true, problems: syntaxProblems(text, [{ error: 4, offset: 0, length: 0 }]) };
  const value: unknown = getNodeValue(root);
  const lines = new LineIndex(text);
  const problems = validate(value).map((e) => validationProblem(text, root, lines, e.message, e.path, e.segments));
  return problems.length > 0 ? { exists: true, problems } : { exists: true, problems, stack: value as StackConfig };
}

export function readConfigFile(file: string, validate: StackValidator): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, problems: [] };
    return { exists: true, problems: [{ message: `Cannot read ${CONFIG_FILE_NAME}: ${(error as Error).message}`, line: 1, column: 1, endLine: 1, endColumn: 1 }] };
  }
  return parseConfigText(text, validate);
}

/** What is served while there is no manito.json: an inferred stack, or the embedded default. */
export type AbsentConfig = Pick<ConfigState, 'stack' | 'source' | 'origin' | 'provenance'>;

export interface ConfigWatcherOptions {
  workspace: string;
  validate: StackValidator;
  debounceMs?: number;
  /** Called whenever manito.json is (or becomes) absent. Default: the embedded default stack. */
  whenAbsent?: () => AbsentConfig;
}

/** Owns the current ConfigState; calls listeners after every reload whose outcome differs. */
export class ConfigWatcher {
  readonly file: string;
  private current: ConfigState;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string | null | undefined;
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

  /** Re-reads the file now; returns whether anything changed. */
  reload(): boolean {
    let text: string | null;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      text = null;
    }
    if (text === this.lastText) return false;
    this.lastText = text;
    const previous = this.current;
    const result = text === null ? readConfigFile(this.file, this.options.validate) : parseConfigText(text, this.options.validate);
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
    for (const listener of this.listeners) listener(this.current, previous);
    return true;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
    this.listeners.clear();
  }
}
