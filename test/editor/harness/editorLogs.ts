// What a workbench's logs say, for a failed test's report: CI shows only the test output, so the
// extension host's warnings and errors and Manito's own log lines are printed there.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The extension host's warnings and errors and the last lines of Manito's own log, newest session. */
export function extensionHostLogTail(userDataDir: string): string[] {
  const lines: string[] = [];
  try {
    const logs = join(userDataDir, 'logs');
    for (const session of readdirSync(logs).sort()) {
      const exthost = join(logs, session, 'exthost1');
      if (!existsSync(exthost)) continue;
      const host = readFileSync(join(exthost, 'remoteexthost.log'), 'utf8').split('\n').filter((l) => /\[(warning|error)\]/.test(l));
      const manito = existsSync(join(exthost, 'manito.manito', 'Manito.log')) ? readFileSync(join(exthost, 'manito.manito', 'Manito.log'), 'utf8').split('\n') : [];
      lines.push(...host.slice(-15).map((l) => `exthost ${l}`), ...manito.slice(-25).map((l) => `Manito ${l}`));
    }
  } catch {
    // No logs yet.
  }
  return lines;
}
