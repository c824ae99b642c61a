// The one-line warning `manito up` and `manito status` give when the folder's code hard-codes
// ports: those bypass the allocator, so the port Manito assigns is not the one the service takes.
import { scanFiles, type Finding } from '../../server/infer/portScan';
import { readProjectFiles } from '../../server/infer/projectFiles';

/** A literal the service listens on or dials, not a fallback of a variable already read (as the editor's diagnostics). */
const bypasses = (f: Finding) => f.kind !== 'env-default';

/** The warning for these findings, or null when none bypasses Manito. `dirArg`: the folder as the user named it. */
export function hardcodedPortsNote(findings: readonly Finding[], dirArg: string | undefined): string | null {
  const hard = findings.filter(bypasses);
  if (hard.length === 0) return null;
  const first = hard[0]!;
  const n = hard.length;
  const scan = dirArg ? `manito scan ${dirArg} --fix` : 'manito scan --fix';
  const place = `${first.path}:${first.line}:${first.column}`;
  return `${n} hard-coded port${n === 1 ? '' : 's'} in the code bypass${n === 1 ? 'es' : ''} Manito's allocation (${n === 1 ? '' : 'first '}at ${place}); run \`${scan}\` to make the code read the environment`;
}

/** Scans `folder` (bounded, never throws) and returns the warning, if any. */
export function scanForHardcodedPorts(folder: string, dirArg: string | undefined): string | null {
  try {
    return hardcodedPortsNote(scanFiles(readProjectFiles(folder).files), dirArg);
  } catch {
    return null; // a warning, never a reason for up or status to fail
  }
}
