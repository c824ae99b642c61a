// What a lease registry holds, for a failed count assertion to explain itself: the file, its spare
// and its aside link (each writer's previous file), with every lease's pid (alive or not), owner,
// workspace and ports, and the lock files present.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unseal } from '../../../server/engine/sealedFile';
import type { Lease } from '../../../server/engine/leaseRegistry';
import { isProcessAlive } from '../../../server/engine/processAlive';

export function registryDump(file: string): string {
  const lines: string[] = [];
  for (const name of [file, `${file}.spare`, `${file}.prev`]) {
    const label = path.basename(name);
    let text: string;
    try {
      text = fs.readFileSync(name, 'utf8');
    } catch (error) {
      lines.push(`${label}: ${(error as NodeJS.ErrnoException).code}`);
      continue;
    }
    const body = unseal(text);
    if (body === null) {
      lines.push(`${label}: torn (${text.length} bytes)`);
      continue;
    }
    let data: { leases?: Lease[]; orphans?: Lease[] } = {};
    try { data = body ? JSON.parse(body) : {}; } catch { /* unseal took it: not reached */ }
    const { ino, mtimeMs } = fs.statSync(name);
    lines.push(`${label} (inode ${ino}, mtime ${new Date(mtimeMs).toISOString()}): ${data.leases?.length ?? 0} leases, ${data.orphans?.length ?? 0} orphans`);
    for (const [kind, list] of [['lease', data.leases], ['orphan', data.orphans]] as const) {
      const byOwner = new Map<string, Lease[]>();
      for (const l of list ?? []) byOwner.set(l.owner, [...(byOwner.get(l.owner) ?? []), l]);
      for (const [owner, ls] of byOwner) {
        const { pid, startTime, workspace } = ls[0];
        const alive = isProcessAlive(pid, startTime) ? 'alive' : 'dead';
        lines.push(`  ${kind}s of pid ${pid} (${alive}) owner ${owner} ${workspace}: ${ls.map((l) => `${l.service} ${l.port}`).join(', ')}`);
      }
    }
  }
  const locks = fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(`${path.basename(file)}.lock`));
  lines.push(`lock files: ${locks.join(' ') || 'none'}`);
  return lines.join('\n');
}
