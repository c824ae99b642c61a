// `manito down [dir]`: asks the host serving [dir] (a `manito up`, or the editor's) to stop the stack.
import * as path from 'node:path';
import type { ActionResult } from '../../protocol/lsp';
import type { CliCommand } from '../command';
import { provenHostOf } from '../findHost';
import { postStackAction } from '../http';
import { killTree } from '../../server/launch/processTree';
import { ProcessRecords } from '../../server/proc/processRecords';
import { EXIT_FAILED, EXIT_OK } from '../output';

export const down: CliCommand = {
  name: 'down',
  summary: 'Stop the stack that `manito up` (or the editor) runs for a folder',
  usage: 'down [dir] [--json]',
  help: [
    'Finds the host serving [dir] (default: the current folder) through its discovery file and',
    'sends it the token-protected POST /api/stack/stop. A `manito up` then exits, leaving no process',
    'and no lease behind. With no host, stops what `manito up --detach` left running there, by the',
    'records Manito keeps of what it started (pid, start time and process group: a process that merely',
    'reuses a pid is never touched). Exit 0 when stopped, 1 when nothing serves the folder or it refused.',
    '',
    'Options:',
    '  --json   print {ok, message} as JSON',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const workspace = path.resolve(ctx.positionals[0] ?? '.');
    const record = await provenHostOf(workspace, ctx.env, (line) => ctx.err(`${ctx.errStyle.yellow('!')} ${line}`));
    const report = (result: ActionResult) => {
      if (ctx.values.json) ctx.out(JSON.stringify(result, null, 2));
      else if (result.ok) ctx.out(`✅ ${result.message}`);
      else ctx.err(`${ctx.errStyle.red('✖')} ${result.message}`);
      return result.ok ? EXIT_OK : EXIT_FAILED;
    };
    if (!record) {
      const left = new ProcessRecords(workspace, ctx.env).live();
      if (left.length === 0) return report({ ok: false, message: `No running Manito host serves ${workspace}, and nothing Manito started runs there.` });
      for (const p of left) await killTree(p.pid, p.pgid === p.pid ? { group: p.pgid } : {});
      return report({ ok: true, message: `Stopped ${left.map((p) => `${p.service} (pid ${p.pid})`).join(', ')}, left running by \`manito up --detach\`.` });
    }
    return report(await postStackAction(record, 'stop', 30_000));
  },
};
