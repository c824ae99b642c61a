// `manito host [dir]`: the host the extension runs, without an editor, until Ctrl-C.
import * as path from 'node:path';
import { onOutputClosed } from '../closedOutput';
import type { CliCommand } from '../command';
import { loadHostModule } from '../hostModule';
import { EXIT_OK } from '../output';
import { HOST_PORT_HELP, HOST_PORT_OPTION, hostPortsFrom } from './hostPortOption';

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
    HOST_PORT_HELP,
  ].join('\n'),
  options: HOST_PORT_OPTION,
  maxPositionals: 1,
  async run(ctx) {
    const workspace = path.resolve(ctx.positionals[0] ?? '.');
    const hostPorts = hostPortsFrom(ctx.values.port);
    const { runHost } = loadHostModule();
    // A reader that goes (`manito host | head -3`), even while the host starts, ends it as Ctrl-C does:
    // leases released, discovery file removed.
    let running: { stop(): Promise<void> } | undefined;
    let readerGone = false;
    const end = () => { void running!.stop().finally(() => process.exit(EXIT_OK)); };
    onOutputClosed(() => { readerGone = true; if (running) end(); });
    running = await runHost({ workspace, hostPorts, env: ctx.env, trusted: true });
    if (readerGone) end();
    // runHost handles SIGINT/SIGTERM (stop, then exit); the open server keeps the process alive.
    await new Promise(() => {});
    return EXIT_OK;
  },
};
