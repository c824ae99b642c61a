// `manito host [dir]`: the host the extension runs, without an editor, until Ctrl-C.
import * as path from 'node:path';
import type { CliCommand } from '../command';
import { loadHostModule } from '../hostModule';
import { EXIT_OK } from '../output';

export const host: CliCommand = {
  name: 'host',
  summary: 'Run the Manito host for a folder without an editor (allocates, detects, health-checks; runs no service)',
  usage: 'host [dir] [--port <n>]',
  help: [
    'Serves /api/ports, /api/health, the dashboard and the WebSocket feed for [dir] (default: the',
    'current folder) and writes a discovery file so `manito status` and the app helpers find it.',
    'Stops on Ctrl-C or SIGTERM, releasing its leases and removing the discovery file.',
    '',
    'Options:',
    '  --port <n>   the host API port (default: manito.json host.ports, else 41730-41749)',
  ].join('\n'),
  options: { port: { type: 'string' } },
  maxPositionals: 1,
  async run(ctx) {
    const workspace = path.resolve(ctx.positionals[0] ?? '.');
    const hostPorts = ctx.values.port ? [Number(ctx.values.port)] : undefined;
    const { runHost } = loadHostModule();
    await runHost({ workspace, hostPorts, env: ctx.env, trusted: true });
    // runHost handles SIGINT/SIGTERM (stop, then exit); the open server keeps the process alive.
    await new Promise(() => {});
    return EXIT_OK;
  },
};
