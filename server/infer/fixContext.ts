// Which service owns a port, and whose files a path is, read from a stack: what portFix needs to
// name the variable a rewritten port reads. Shared by `manito scan --fix` and the editor's Quick Fix.
import type { StackConfig } from '../../protocol/config';
import type { FixContext } from './portFix';

export function fixContextOf(stack: StackConfig): FixContext {
  const entries = Object.entries(stack.services);
  return {
    serviceForPort: (port) => entries.find(([, s]) => s.preferred?.[0] === port)?.[0] ?? entries.find(([, s]) => s.preferred?.includes(port))?.[0],
    serviceForFile: (file) => {
      const inside = entries.filter(([, s]) => !s.cwd || file.startsWith(`${s.cwd}/`));
      const depth = (cwd?: string) => (cwd ? cwd.split('/').length : 0);
      inside.sort(([, a], [, b]) => depth(b.cwd) - depth(a.cwd) || Number(a.kind === 'vite') - Number(b.kind === 'vite'));
      const hit = inside[0];
      return hit ? { name: hit[0], vite: hit[1].kind === 'vite' } : undefined;
    },
  };
}
