// Checks a parsed manito.json against the shipped schema, through the validator that
// scripts/configSchema.mjs compiled from it at build time, and words each failure for a person:
// the service it concerns, the setting, what is allowed and what was given.
import { validate as compiledValidate } from './generated/schemaValidator';
import { nearestName } from './nearestName';
import type { StackIssue } from './stackIssue';
import { formatPath, type Seg } from './stackIssue';

/** The parts of an Ajv error (verbose mode) this module reads. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
  data?: unknown;
  schema?: unknown;
  parentSchema?: { errorMessage?: string; patternErrorMessage?: string; minimum?: number; maximum?: number } & Record<string, unknown>;
}

const validate = compiledValidate as unknown as ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** Wrappers whose inner failures are reported on their own. */
const WRAPPERS = new Set(['if', 'oneOf', 'propertyNames', 'allOf', 'anyOf']);

export function schemaIssues(config: unknown): StackIssue[] {
  if (validate(config)) return [];
  const issues: StackIssue[] = [];
  const seen = new Set<string>();
  // "did you mean" for the first few unknown keys only: thousands of them must not cost seconds.
  const hints = { left: 20 };
  for (const error of validate.errors ?? []) {
    if (WRAPPERS.has(error.keyword)) continue;
    const issue = describe(error, config, hints);
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/** `/services/a~1b/preferred/0` -> ['services', 'a/b', 'preferred', 0]; indices only where the value is an array. */
function segmentsOf(pointer: string, root: unknown): Seg[] {
  const segments: Seg[] = [];
  let at: unknown = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(at) && /^\d+$/.test(key) ? Number(key) : undefined;
    segments.push(index ?? key);
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  }
  return segments;
}

/** A short, safe rendering of what was given: never the whole of a large value. */
export function preview(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Failures where what was given helps: the others are about presence or combination. */
const VALUE_KEYWORDS = new Set(['type', 'minimum', 'maximum', 'pattern', 'enum', 'const', 'multipleOf']);

const ARTICLE: Record<string, string> = { integer: 'an integer', object: 'an object', array: 'an array', string: 'a string', boolean: 'true or false', number: 'a number' };

function describe(error: SchemaError, root: unknown, hints: { left: number }): StackIssue {
  const segments = segmentsOf(error.instancePath, root);
  const p = error.params;
  if (error.keyword === 'additionalProperties') segments.push(String(p.additionalProperty));
  if (error.keyword === 'required') segments.push(String(p.missingProperty));
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  // A service's own name (a propertyNames failure) is not reported "inside" that service.
  const inService = segments[0] === 'services' && segments.length >= (error.propertyName !== undefined ? 3 : 2);
  const service = inService ? String(segments[1]) : undefined;
  const label = formatPath(service !== undefined ? segments.slice(2) : segments) || (service !== undefined ? `service "${service}"` : 'the stack');
  const shown = VALUE_KEYWORDS.has(error.keyword) && error.propertyName === undefined ? `, got ${preview(error.data)}` : '';
  const custom = error.parentSchema?.errorMessage ?? (error.keyword === 'pattern' ? error.parentSchema?.patternErrorMessage : undefined);
  let text: string;
  if (custom !== undefined) {
    // Messages that name their setting ("health.path must start with ...") need no label in front.
    const last = [...segments].reverse().find((s): s is string => typeof s === 'string') ?? '';
    const named = (last !== '' && custom.includes(last)) || error.propertyName !== undefined;
    const subject = error.propertyName !== undefined ? `${JSON.stringify(error.propertyName)}: ` : named || label.startsWith('service "') ? '' : `${label}: `;
    text = `${subject}${custom.replace(/\.$/, '')}${shown}`;
  } else {
    switch (error.keyword) {
      case 'additionalProperties': {
        const known = Object.keys((error.parentSchema?.properties ?? {}) as Record<string, unknown>);
        const near = hints.left-- > 0 ? nearestName(String(p.additionalProperty), known) : undefined;
        text = `unknown key "${String(p.additionalProperty)}"${segments.length > (service !== undefined ? 3 : 1) ? ` in ${formatPath(segments.slice(service !== undefined ? 2 : 0, -1))}` : ''}${near ? `; did you mean "${near}"?` : ''}`;
        break;
      }
      case 'required': text = `${label} is required`; break;
      case 'type': text = `${label} must be ${ARTICLE[String(p.type)] ?? String(p.type)}${shown}`; break;
      case 'enum': text = `${label} must be one of ${(p.allowedValues as unknown[]).join(', ')}${shown}`; break;
      case 'const': text = `${label} must be ${JSON.stringify(p.allowedValue)}${shown}`; break;
      case 'minimum':
      case 'maximum': {
        const { minimum, maximum } = error.parentSchema ?? {};
        text = `${label} must be from ${minimum ?? '-'} to ${maximum ?? '-'}${shown}`;
        break;
      }
      case 'maxItems': text = `${label} has ${(error.data as unknown[]).length} entries; at most ${String(p.limit)} are allowed`; break;
      case 'minItems': text = `${label} needs at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}`; break;
      case 'maxProperties': text = `${label} has ${Object.keys(error.data as object).length} entries; at most ${String(p.limit)} are allowed`; break;
      case 'uniqueItems': {
        const list = error.data as unknown[];
        segments.push(Number(p.j));
        text = `${label}: ${preview(list[Number(p.j)])} appears twice (also at [${String(p.i)}])`;
        break;
      }
      case 'discriminator': {
        segments.push('type');
        const types = ((error.parentSchema?.oneOf ?? []) as Array<{ properties: { type: { const: string } } }>).map((b) => b.properties.type.const);
        text = `health.type must be one of ${types.join(', ')}, got ${preview((error.data as Record<string, unknown> | undefined)?.type)}`;
        break;
      }
      default: text = `${label} ${error.message ?? `fails ${error.keyword}`}`;
    }
  }
  const issue: StackIssue = { path: formatPath(segments), segments, message: service !== undefined ? `${service}: ${text}` : text };
  if (error.keyword === 'additionalProperties' || error.propertyName !== undefined) issue.atKey = true;
  return issue;
}
