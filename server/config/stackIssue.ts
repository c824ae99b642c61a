// What every check of a stack reports: the JSON path of the offending value (so the loader can
// point at its line and column) and a message that names the service.

export type Seg = string | number;

export interface StackIssue {
  /** `services.client.preferred[1]`; names that are not identifiers are quoted: `services["api-gw"]`. */
  path: string;
  /** The same path as segments, as jsonc-parser's findNodeAtLocation takes it. */
  segments: Seg[];
  message: string;
  /** Point at the property's name rather than its value (an unknown key is its name's fault). */
  atKey?: boolean;
}

export class InvalidStackError extends Error {
  constructor(readonly issues: StackIssue[]) {
    super(`invalid stack: ${issues.slice(0, 10).map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ')}${issues.length > 10 ? `; and ${issues.length - 10} more` : ''}`);
    this.name = 'InvalidStackError';
  }
}

export function formatPath(segments: readonly Seg[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export function issue(segments: Seg[], message: string): StackIssue {
  return { path: formatPath(segments), segments, message };
}
