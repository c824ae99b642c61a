// Prints an inferred stack for `manito scan`: each service with its port, kind, command and where
// it was inferred from, the variables it is given and why, and what it waits for.
import type { InferenceResult } from '../../protocol/inference';
import type { Style } from '../output';

export function printInferred(result: InferenceResult, out: (line: string) => void, s: Style): void {
  if (!result.found) {
    out(s.bold(`Nothing to infer a stack from: ${result.reason}.`));
    out(s.dim('Without a manito.json the host serves its default stack.'));
    return;
  }
  const { stack, provenance } = result;
  const names = Object.keys(stack.services);
  out(s.bold(`Inferred stack (${names.length} service${names.length === 1 ? '' : 's'}):`));
  const width = Math.max(...names.map((n) => n.length));
  for (const name of names) {
    const svc = stack.services[name]!;
    const p = provenance[name]!;
    const where = svc.cwd ? ` (in ${svc.cwd})` : '';
    out(`  ${s.cyan(name.padEnd(width))}  ${String(svc.preferred?.[0] ?? '').padEnd(5)}  ${(svc.kind ?? 'http').padEnd(10)}  ${svc.command ?? s.dim('no command: Manito allocates and watches')}${where}`);
    out(s.dim(`  ${' '.repeat(width)}  from ${p.from.join('; ')}`));
    out(s.dim(`  ${' '.repeat(width)}  port ${p.port}`));
    for (const [key, value] of Object.entries(svc.env ?? {})) out(s.dim(`  ${' '.repeat(width)}  env ${key}=${value}  (${p.env[key]})`));
    for (const dep of svc.dependsOn ?? []) out(s.dim(`  ${' '.repeat(width)}  after ${dep}  (${p.dependsOn[dep]})`));
  }
  if (result.read.truncated) out(s.dim(`Stopped reading after ${result.read.files} files (a size or depth limit): the stack may be incomplete.`));
}
