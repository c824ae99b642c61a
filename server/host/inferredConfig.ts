// What the host serves while a workspace has no manito.json: the stack inferred from what the
// folder holds (server/infer), labelled with the files it came from; the embedded default only
// when nothing is found or the inference does not validate, and then it says why.
import { DEFAULT_STACK } from '../../protocol/config';
import { defaultOrigin, inferredOrigin } from '../../protocol/configOrigin';
import type { AbsentConfig, PathError } from '../config/loadConfig';
import { inferStack } from '../infer/inferStack';

export interface InferredConfigOptions {
  workspace: string;
  validate: (value: unknown) => PathError[];
  warn: (line: string) => void;
  infer?: typeof inferStack;
}

export function inferredConfig(options: InferredConfigOptions): AbsentConfig {
  let result;
  try {
    result = (options.infer ?? inferStack)(options.workspace);
  } catch (error) {
    // inferStack does not throw for what the folder holds; an unreadable root is the one case left.
    options.warn(`Inferring the stack of ${options.workspace} failed: ${(error as Error).message}; using the embedded default stack`);
    return { stack: DEFAULT_STACK, source: 'default', origin: defaultOrigin(`inference failed: ${(error as Error).message}`) };
  }
  if (!result.found) return { stack: DEFAULT_STACK, source: 'default', origin: defaultOrigin(result.reason) };
  const problems = options.validate(result.stack);
  if (problems.length) {
    const detail = `the inferred stack is not valid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`;
    options.warn(`${detail}; using the embedded default stack. \`manito scan --json\` shows what was inferred.`);
    return { stack: DEFAULT_STACK, source: 'default', origin: defaultOrigin(detail) };
  }
  const from = Object.values(result.provenance).flatMap((p) => p.from);
  return { stack: result.stack, source: 'inferred', origin: inferredOrigin(from), provenance: result.provenance };
}
