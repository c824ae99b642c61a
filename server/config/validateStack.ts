// Validation of a parsed manito.json (or any stack object): first the shipped schema, through the
// validator compiled from it at build time; then, on a stack the schema accepts, the rules a schema
// cannot say (stackChecks.ts). Every problem carries the JSON path of the offending value, so the
// loader can point at its line and column. Nothing here reads files or knows about positions.
import type { StackConfig } from '../../protocol/config';
import { schemaIssues } from './schemaErrors';
import { stackIssues, type StackCheckOptions } from './stackChecks';
import { InvalidStackError, type StackIssue } from './stackIssue';

export { formatPath, InvalidStackError, type StackIssue } from './stackIssue';

/** All problems of the stack; empty when it is valid. Total: any value in, a list out. */
export function validateStack(config: unknown, options: StackCheckOptions = {}): StackIssue[] {
  const issues = schemaIssues(config);
  if (issues.length === 0) return stackIssues(config as StackConfig, options);
  // Every problem in one pass, not the schema's first and the rest after a fix: the stack rules
  // also run when the schema faults only services, with each faulty service emptied (still a
  // name others may refer to, with nothing of it checked twice).
  if (issues.some((i) => i.segments[0] !== 'services' || i.segments.length < 2)) return issues;
  const broken = new Set(issues.map((i) => String(i.segments[1])));
  const stack = config as StackConfig;
  const services = Object.fromEntries(Object.entries(stack.services).map(([name, s]) => [name, broken.has(name) ? {} : s]));
  return [...issues, ...stackIssues({ ...stack, services } as StackConfig, options)];
}

/** The stack itself when it is valid; throws InvalidStackError listing every problem otherwise. */
export function assertValidStack(config: unknown, options: StackCheckOptions = {}): StackConfig {
  const issues = validateStack(config, options);
  if (issues.length > 0) throw new InvalidStackError(issues);
  return config as StackConfig;
}
