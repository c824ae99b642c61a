// `manito ports`: the assignments of this folder's host exactly as GET /api/ports gives them.
import * as path from 'node:path';
import { API_PORTS_PATH, type PortsResponse } from '../../protocol/http';
import { readLiveHosts } from '../../server/discovery/discoveryFile';
import type { CliCommand } from '../command';
import { findHost } from '../findHost';
import { getJson } from '../http';
import { EXIT_FAILED, EXIT_OK, table } from '../output';

export const ports: CliCommand = {
  name: 'ports',
  summary: 'Print the port assignments (the body of /api/ports with --json)',
  usage: 'ports [dir] [--json]',
  help: [
    'Only the host serving [dir] (default: the current folder) or a parent of it answers: the ports',
    'of another project\'s host are not this folder\'s. Exit 1 when no host serves it.',
    '',
    'Options:',
    '  --json   print the /api/ports body unchanged: {"success":true,"data":{<service>:<port>,...,"urls":{...}}};',
    '           {"success":false,"error":"..."} when no host serves the folder',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const folder = path.resolve(ctx.positionals[0] ?? process.cwd());
    // Only the host of this folder (or a parent): another project's ports are not this one's.
    const host = await findHost({ workspace: folder, env: ctx.env, serving: true , onNote: (line) => ctx.err(`${ctx.errStyle.yellow('!')} ${line}`) });
    if (!host) {
      const others = readLiveHosts(ctx.env).map((r) => r.workspace);
      const message = `no Manito host serves ${folder}` +
        (others.length ? ` (running hosts serve ${others.join(', ')}; their ports belong to those folders)` : '') +
        '. Start one with `manito up` or `manito host`, or open the folder in VS Code.';
      if (ctx.values.json) ctx.out(JSON.stringify({ success: false, error: message }, null, 2));
      else ctx.err(`${ctx.errStyle.red('✖')} ${message}`);
      return EXIT_FAILED;
    }
    const body = await getJson<PortsResponse>(`${host.url}${API_PORTS_PATH}`);
    if (ctx.values.json) {
      ctx.out(JSON.stringify(body, null, 2));
      return EXIT_OK;
    }
    const { urls, environment, ...assigned } = body.data;
    const rows = Object.entries(assigned)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .map(([name, port]) => [name, String(port), urls[name] ?? '']);
    for (const line of table(rows)) ctx.out(line);
    ctx.out(ctx.style.dim(`environment: ${environment}`));
    return EXIT_OK;
  },
};
