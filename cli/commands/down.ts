// `manito down [dir]`: asks the host serving [dir] (a `manito up`, or the editor's) to stop the stack.
import * as path from 'node:path';
import { API_STACK_PREFIX, TOKEN_HEADER, type ErrorResponse } from '../../protocol/http';
import type { ActionResult } from '../../protocol/lsp';
import { findHostForWorkspace } from '../../server/discovery/discoveryFile';
import type { CliCommand } from '../command';
import { request } from '../http';
import { EXIT_FAILED, EXIT_OK } from '../output';

export const down: CliCommand = {
  name: 'down',
  summary: 'Stop the stack that `manito up` (or the editor) runs for a folder',
  usage: 'down [dir] [--json]',
  help: [
    'Finds the host serving [dir] (default: the current folder) through its discovery file and',
    'sends it the token-protected POST /api/stack/stop. A `manito up` then exits, leaving no process',
    'and no lease behind. Exit 0 when stopped, 1 when no host serves the folder or it refused.',
    '',
    'Options:',
    '  --json   print {ok, message} as JSON',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const workspace = path.resolve(ctx.positionals[0] ?? '.');
    const record = findHostForWorkspace(workspace, ctx.env);
    const report = (result: ActionResult) => {
      if (ctx.values.json) ctx.out(JSON.stringify(result, null, 2));
      else if (result.ok) ctx.out(`✅ ${result.message}`);
      else ctx.err(`${ctx.errStyle.red('✖')} ${result.message}`);
      return result.ok ? EXIT_OK : EXIT_FAILED;
    };
    if (!record) return report({ ok: false, message: `No running Manito host serves ${workspace}.` });
    let res;
    try {
      res = await request(`http://127.0.0.1:${record.port}${API_STACK_PREFIX}stop`, {
        method: 'POST', timeoutMs: 30_000, body: '{}',
        headers: { [TOKEN_HEADER]: record.token, 'content-type': 'application/json' },
      });
    } catch (error) {
      return report({ ok: false, message: `The host (pid ${record.pid}, port ${record.port}) did not answer: ${(error as Error).message}` });
    }
    let body: { success: true; data: ActionResult } | ErrorResponse;
    try {
      body = JSON.parse(res.body);
    } catch {
      return report({ ok: false, message: `The host answered HTTP ${res.status} with a body that is not JSON.` });
    }
    return report(body.success ? body.data : { ok: false, message: body.error });
  },
};
