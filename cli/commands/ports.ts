// `manito ports`: the assignments exactly as GET /api/ports gives them.
import { API_PORTS_PATH, type PortsResponse } from '../../protocol/http';
import type { CliCommand } from '../command';
import { findHost } from '../findHost';
import { getJson } from '../http';
import { EXIT_FAILED, EXIT_OK, table } from '../output';

export const ports: CliCommand = {
  name: 'ports',
  summary: 'Print the port assignments (the body of /api/ports with --json)',
  usage: 'ports [dir] [--json]',
  help: [
    'Options:',
    '  --json   print the /api/ports body unchanged: {"success":true,"data":{<service>:<port>,...,"urls":{...}}}',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const host = await findHost({ workspace: ctx.positionals[0], env: ctx.env });
    if (!host) {
      ctx.err(`${ctx.errStyle.red('✖')} No Manito host found; run \`manito status\` for where it looked.`);
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
