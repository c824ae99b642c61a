// `manito up [dir]`: headless Start Stack. Runs the host in this process with a ProcessLauncher,
// starts every service in dependsOn order with the env terminals get, and on Ctrl-C, SIGTERM or
// `manito down` stops the whole stack and the host, leaving no process and no lease behind.
import * as path from 'node:path';
import { brokenConfigNote } from '../../protocol/model';
import { ProcessLauncher } from '../../server/launch/processLauncher';
import { processRecordsFile } from '../../server/proc/processRecords';
import { stateDir } from '../../server/discovery/stateFolder';
import type { CliCommand } from '../command';
import { loadHostModule } from '../hostModule';
import { scanForHardcodedPorts } from '../scan/hardcodedNote';
import { provenHostOf } from '../findHost';
import { postStackAction } from '../http';
import { onOutputClosed, outputClosed } from '../closedOutput';
import { EXIT_FAILED, EXIT_OK, useColour } from '../output';
import { HOST_PORT_HELP, HOST_PORT_OPTION, hostPortsFrom } from './hostPortOption';

export const up: CliCommand = {
  name: 'up',
  summary: 'Start every service of the stack here, headless, with prefixed output; Ctrl-C stops it all',
  usage: 'up [dir] [--port <n>] [--detach]',
  help: [
    'Runs a Manito host for [dir] (default: the current folder) in this process, allocates the',
    'ports and starts every service that has a `command`, in dependsOn order, each once its',
    'dependencies are healthy. Each service gets PORT (or its portEnv), MANITO_<SERVICE>_PORT for',
    'every service, and ${port} / ${ports.<name>} substituted, exactly as the editor\'s terminals.',
    'Output lines are prefixed with the service name (coloured on a terminal, unless NO_COLOR).',
    '',
    'Ctrl-C, SIGTERM, SIGHUP or `manito down [dir]` stops every service (the whole process tree),',
    'releases the leases and exits 0. If `up` itself is killed (even with SIGKILL), a small reaper',
    'it started ends every service within seconds: nothing is left running unless you ask for it.',
    'If a host already serves [dir] (the editor, `manito host`), `up` asks it to start the stack',
    'instead and exits. Exit 1 when the stack cannot start.',
    '',
    'Options:',
    HOST_PORT_HELP,
    '  --detach     start the stack, then exit and leave it running; output goes to log files',
    '               (printed); `manito down [dir]` stops it later, and any later host can too',
  ].join('\n'),
  options: { ...HOST_PORT_OPTION, detach: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const workspace = path.resolve(ctx.positionals[0] ?? '.');
    const existing = await provenHostOf(workspace, ctx.env, (line) => ctx.err(`${ctx.errStyle.yellow('!')} ${line}`));
    if (existing) {
      ctx.out(`A Manito host (pid ${existing.pid}, port ${existing.port}) already serves ${workspace}; asking it to start the stack.`);
      const result = await postStackAction(existing, 'start', 120_000);
      if (result.ok) ctx.out(`✅ ${result.message}`);
      else ctx.err(`${ctx.errStyle.red('✖')} ${result.message}`);
      return result.ok ? EXIT_OK : EXIT_FAILED;
    }

    const { runHost } = loadHostModule();
    const detach = ctx.values.detach === true;
    const logDir = path.join(stateDir(ctx.env), 'logs', path.basename(processRecordsFile(workspace, ctx.env), '.json'));
    const launcher = new ProcessLauncher({
      write: (line) => { if (!outputClosed()) process.stdout.write(line); }, color: useColour(process.stdout, ctx.env),
      ...(detach ? { logFile: (service: string) => path.join(logDir, `${service}.log`) } : {}),
    });
    const tag = () => launcher.prefix('manito');
    // The reader may go (`manito up | head -3`) while the host is still starting: remember it, stop once it is up.
    let readerGone = false;
    let onReaderGone = () => { readerGone = true; };
    const restoreExit = onOutputClosed(() => onReaderGone());
    const host = await runHost({
      workspace, env: ctx.env, trusted: true, launcher, handleSignals: false, detach,
      hostPorts: hostPortsFrom(ctx.values.port),
      logSink: (level, line) => (level === 'info' ? ctx.out : ctx.err)(`${tag()} ${line}`),
    });
    // A broken manito.json is not "nothing to start": say what is wrong and fail.
    const { configErrors, configSource } = host.core.snapshot();
    if (configErrors.length) {
      // The host has just logged each error as path:line:col; saying them twice only buries the verdict.
      ctx.err(`${ctx.errStyle.red('✖')} ${brokenConfigNote(configErrors.length, configSource)}; not starting the stack.`);
      await host.stop();
      restoreExit();
      return EXIT_FAILED;
    }
    launcher.reserve(Object.keys(host.core.stack.services));

    let resolveDone!: (code: number) => void;
    const done = new Promise<number>((resolve) => { resolveDone = resolve; });
    let shuttingDown = false;
    const shutdown = (reason: string, code: number) => {
      if (shuttingDown) return;
      shuttingDown = true;
      ctx.out(`${tag()} ${reason}; stopping the stack`);
      host.stop().then(() => {
        ctx.out(`${tag()} stopped; no service left running`);
        resolveDone(code);
      }, (error) => {
        ctx.err(`${tag()} stopping failed: ${(error as Error).message}`);
        resolveDone(EXIT_FAILED);
      });
    };
    const onSignal = (signal: NodeJS.Signals) => shutdown(`received ${signal}`, EXIT_OK);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    const finish = (code: number) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      restoreExit();
      return code;
    };
    // Nobody reads the output any more: stop the stack as Ctrl-C would, rather than exit and leave it to the reaper.
    onReaderGone = () => shutdown('the output was closed', EXIT_OK);
    if (readerGone) onReaderGone();

    // When every service is gone (`manito down`, or each exited on its own) there is nothing to keep up.
    let failures = 0;
    let startDone = false;
    host.runner.on((event) => {
      if (event.type !== 'stopped') return;
      if (event.exitCode !== undefined && event.exitCode !== 0) failures++;
      if (startDone && host.runner.running().length === 0) {
        // Let the stop that caused this (a `manito down` request) finish and answer first.
        void host.runner.whenIdle().then(() => setImmediate(() => {
          if (host.runner.running().length === 0) shutdown('every service has stopped', failures ? EXIT_FAILED : EXIT_OK);
        }));
      }
    });
    if (shuttingDown) return finish(await done);
    ctx.out(`${tag()} host on ${host.url}; starting the stack`);
    const result = await host.runner.startStack();
    startDone = true;
    // After the start, not before: reading the project's files (tens of ms in a large one) would
    // hold up the first service, and the note is as visible beside the start's outcome.
    const hardcoded = scanForHardcodedPorts(workspace, ctx.positionals[0]);
    if (hardcoded) ctx.err(`${tag()} ${ctx.errStyle.yellow('!')} ${hardcoded}`);
    if (detach && result.ok) {
      const running = host.runner.running();
      await host.stop(); // detached: forgets the services, stops none
      restoreExit();
      ctx.out(`${tag()} ✅ ${result.message}`);
      ctx.out(`${tag()} detached: ${running.length ? running.join(', ') : 'nothing'} left running; logs in ${logDir}; \`manito down ${workspace}\` stops them`);
      return EXIT_OK;
    }
    if (shuttingDown) {
      // Stopped while starting (Ctrl-C, the output closed): the stop says so, not a start failure.
    } else if (!result.ok) {
      ctx.err(`${ctx.errStyle.red('✖')} ${result.message}`);
      shutdown('the stack could not start', EXIT_FAILED);
    } else {
      ctx.out(`${tag()} ✅ ${result.message}`);
      if (host.runner.running().length === 0) shutdown('no service to run (try `manito host` to only watch ports)', EXIT_OK);
    }
    return finish(await done);
  },
};
