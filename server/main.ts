// Entry of dist/host.js. `--stdio` / `--node-ipc` (and `--socket=N`, `--pipe=`): the editor's
// language-server-style host. `--headless <dir>`: no editor, as `manito host [dir]` runs it.
import { basename } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { HostStatus } from '../protocol/lsp';
import { describeError } from './host/log';
import { runHost, type RunHostOptions, type RunningHost } from './host/runHost';

export { runHost };
export type { RunHostOptions, RunningHost };
export { readLiveHosts, findHostForWorkspace } from './discovery/discoveryFile';

/** Logs an error that would kill the host, tells the editor, then exits. */
function installCrashHandlers(connection: Connection | undefined): void {
  let dying = false;
  const report = (kind: string, error: unknown, fatal: boolean) => {
    const text = `Manito host ${kind}: ${describeError(error)}`;
    process.stderr.write(`${text}\n`);
    if (connection) {
      try {
        connection.console.error(text);
        if (fatal) {
          void connection.sendNotification(HostStatus.type, { health: 'error', message: `The Manito host crashed: ${error instanceof Error ? error.message : String(error)}` });
          void connection.window.showErrorMessage(`The Manito host crashed: ${error instanceof Error ? error.message : String(error)}. See the Manito output.`);
        }
      } catch {
        // The connection may be what failed.
      }
    }
    if (fatal && !dying) {
      dying = true;
      // Give the messages a moment to reach the client; the 'exit' handlers remove the discovery file.
      setTimeout(() => process.exit(1), 200).unref();
    }
  };
  process.on('uncaughtException', (error) => report('uncaught exception', error, true));
  process.on('unhandledRejection', (reason) => report('unhandled rejection', reason, false));
}

export function main(argv: string[]): void {
  const headless = argv.indexOf('--headless');
  if (headless >= 0) {
    installCrashHandlers(undefined);
    const workspace = argv[headless + 1] && !argv[headless + 1].startsWith('--') ? argv[headless + 1] : process.cwd();
    runHost({ workspace }).catch((error) => {
      process.stderr.write(`Manito host failed to start: ${describeError(error)}\n`);
      process.exit(1);
    });
    return;
  }
  if (!argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe') || a.startsWith('--clientProcessId'))) {
    process.stderr.write('usage: host.js --stdio | --node-ipc | --headless [dir]\n');
    process.exit(2);
  }
  // createConnection reads the transport from argv (--stdio, --node-ipc, --socket=, --pipe=).
  // Over node IPC the library only polls the editor's pid every 3 s; a closed channel means the
  // editor is gone now, and the reaper ends our services as soon as we exit.
  if (argv.includes('--node-ipc')) process.once('disconnect', () => process.exit(1));
  serveEditor();
}

/**
 * The editor's half, required only here: `manito up` and `manito host` load this module too and
 * never speak LSP, and loading the language-server library took a tenth of their start. esbuild
 * bundles these requires and runs the modules' code at this call, not when the bundle loads.
 */
function serveEditor(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- deferred on purpose, see above */
  const { createConnection, ProposedFeatures } = require('vscode-languageserver/node') as typeof import('vscode-languageserver/node');
  const { serveLsp } = require('./host/lspServer') as typeof import('./host/lspServer');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const connection = createConnection(ProposedFeatures.all);
  installCrashHandlers(connection);
  serveLsp(connection, runHost);
  connection.listen();
}

// Only as dist/host.js (or this file run from source): a bundle that imports this module (dist/cli.js)
// is also `require.main` there, and must not start a host with its own arguments.
if (require.main === module && /^(host\.js|main\.ts)$/.test(basename(__filename))) main(process.argv.slice(2));
