// `manito move-back <service> [dir]`: puts a service back on its first preferred port once the
// process that pushed it off has exited (the host says "3000 is free again"); restarts it there if it runs.
import * as path from 'node:path';
import type { ActionResult } from '../../protocol/lsp';
import type { CliCommand } from '../command';
import { findHost } from '../findHost';
import { postServiceAction } from '../http';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../output';

export const moveBack: CliCommand = {
  name: 'move-back',
  summary: 'Move a service back to its first preferred port, free again',
  usage: 'move-back <service> [dir] [--json]',
  help: [
    'Asks the host serving [dir] (default: the current folder), found through its proven discovery',
    'record, to put <service> back on its first preferred port. `manito status` says when that port is',
    'free again. A service Manito runs is restarted on it. Exit 0 when moved, 1 when the port is',
    'still taken, no host serves the folder, or the service is unknown.',
    '',
    'Options:',
    '  --json   print {ok, message} as JSON',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  maxPositionals: 2,
  folderFrom: 1,
  async run(ctx) {
    const service = ctx.positionals[0];
    if (!service) throw new UsageError('missing the service to move back, e.g. `manito move-back api`');
    const workspace = path.resolve(ctx.positionals[1] ?? '.');
    const report = (result: ActionResult) => {
      if (ctx.values.json) ctx.out(JSON.stringify(result, null, 2));
      else if (result.ok) ctx.out(`✅ ${result.message}`);
      else ctx.err(`${ctx.errStyle.red('✖')} ${result.message}`);
      return result.ok ? EXIT_OK : EXIT_FAILED;
    };
    const host = await findHost({ workspace, env: ctx.env, serving: true, onNote: (line) => ctx.err(`${ctx.errStyle.yellow('!')} ${line}`) });
    if (!host) return report({ ok: false, message: `No running Manito host serves ${workspace}.` });
    return report(await postServiceAction(host.record, service, 'move-back', 60_000));
  },
};
