// Starts one host for one workspace: config, HTTP API + feed, port engine, detection, health,
// the service runner and the discovery file. The editor (over LSP) and `manito host [dir]`
// (headless) run exactly this; `stop()` undoes all of it.
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_HOST_PORTS } from '../../protocol/config';
import type { ServiceAction, StackAction } from '../../protocol/http';
import type { ActionResult, SaveConfigResult } from '../../protocol/lsp';
import type { HostInfo } from '../../protocol/model';
import { ConfigWatcher } from '../config/loadConfig';
import { expandInstances } from '../instances/expandInstances';
import { withFronts } from '../instances/frontLauncher';
import { waitServing } from '../instances/frontHealth';
import { validateStack } from '../config/validateStack';
import { newHostToken, writeDiscoveryFile } from '../discovery/discoveryFile';
import { ensureStateDir, stateDir } from '../discovery/stateFolder';
import type { PortEngineApi } from '../engine/engineApi';
import { HealthMonitor, type Clock } from '../health/healthMonitor';
import { createProbe, type Probe } from '../health/probes';
import { Feed } from '../http/feed';
import { ApiServer } from '../http/httpServer';
import { defaultWebviewDir } from '../http/staticFiles';
import type { Launcher } from '../launch/launcher';
import { ProcessLauncher } from '../launch/processLauncher';
import { StackRunner } from '../launch/stackRunner';
import { EditorLauncher } from '../launch/editorLauncher';
import { ProcessRecords } from '../proc/processRecords';
import { Reaper } from '../proc/reaper';
import { recordedProcess, stopExternal } from '../launch/recordedProcess';
import { createEngine } from './createEngine';
import { HostLog, streamSink, type LogSink } from './log';
import { moveBackService } from './moveBack';
import type { ProxyRole } from '../proxy/proxyRole';
import { startHostProxy } from '../proxy/hostProxy';
import { launchUrls, namedUrlMap } from '../proxy/namedUrlViews';
import { StackCore } from './stackCore';
import { inferredConfig } from './inferredConfig';
import { saveServedConfig } from './saveConfig';
import { HOST_VERSION } from './version';
import { openHostMetrics } from '../metrics/hostMetricsWiring';
import { HostCompose } from '../compose/hostCompose';
import { isContestEvent } from '../../protocol/usage';
import { publishScrapeTarget } from '../metrics/scrapeTargets';

export interface RunHostOptions {
  workspace: string;
  /** The editor's connection; undefined when headless (`manito host`). */
  connection?: Connection;
  /** Commands from manito.json run only in a trusted workspace. Headless defaults to trusted: the user ran it there. */
  trusted?: boolean;
  /** Overrides manito.json `host.ports` and DEFAULT_HOST_PORTS. */
  hostPorts?: number[];
  env?: NodeJS.ProcessEnv;
  /** Default: stdout headless, stderr under an editor. */
  logSink?: LogSink;
  launcher?: Launcher;
  engineFactory?: (stack: import('../../protocol/config').StackConfig) => PortEngineApi;
  probe?: Probe;
  clock?: Clock;
  /** Remove the discovery file and stop on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
  webviewDir?: string;
  /** Infer the stack from the folder when it has no manito.json (default true); false: the embedded default. */
  infer?: boolean;
  /** The user's proxy port; default MANITO_PROXY_PORT, else DEFAULT_PROXY_PORT (server/proxy/hostProxy.ts). */
  proxyPort?: number;
  /** Keep services running after this host ends (`manito up --detach`): no reaper, records marked detached. */
  detach?: boolean;
}

export interface RunningHost {
  readonly port: number;
  readonly url: string;
  readonly token: string;
  readonly core: StackCore;
  readonly runner: StackRunner;
  readonly log: HostLog;
  /** Where the served stack comes from (manito.json, inferred, default), with its changes. */
  readonly config: ConfigWatcher;
  /** This host's part in the user's named-URL proxy; undefined when MANITO_PROXY=off. */
  readonly proxy: ProxyRole | undefined;
  setTrusted(trusted: boolean): void;
  /** Writes the inferred (or default) stack as manito.json; the config watcher then serves the file. */
  saveConfig(): SaveConfigResult;
  /** Stops services it runs as child processes (not terminals), closes the API, removes the discovery file. Idempotent. */
  stop(): Promise<void>;
  /** Moves a service back to its first preferred port (see moveBack.ts). */
  moveBack(service: string): Promise<ActionResult>;
}

function startReaper(env: NodeJS.ProcessEnv, log: HostLog): Reaper | undefined {
  const warn = (error: unknown) => log.warn(`No reaper (${(error as Error).message}): services may outlive this host if it is killed`);
  try {
    const reaper = Reaper.start(env);
    reaper.ready.catch(warn);
    return reaper;
  } catch (error) {
    warn(error);
    return undefined;
  }
}

export async function runHost(options: RunHostOptions): Promise<RunningHost> {
  const workspace = path.resolve(options.workspace);
  const env = options.env ?? process.env;
  const log = new HostLog(options.logSink ?? streamSink(options.connection ? process.stderr : process.stdout));
  const startedAt = Date.now();
  const token = newHostToken();
  // Leases and the discovery record go there: refuse a symlinked or foreign state folder before writing anything.
  ensureStateDir(env);
  // Whatever this host starts ends with it, however it ends (issue 12 rule 3), unless the user chose to
  // detach. Nothing waits for the reaper's start: what is registered meanwhile waits in its pipe.
  const reaper = options.detach ? undefined : startReaper(env, log);
  let trusted = options.trusted ?? !options.connection;

  // Compose services join the stack (and are started through the Compose CLI) before anything reads it.
  const compose = new HostCompose({ workspace, env, log });
  // Without manito.json the stack is inferred from the folder (the embedded default only when nothing is found).
  const config = new ConfigWatcher({
    workspace, validate: validateStack, extend: (stack, provenance) => expandInstances(compose.extend(stack, provenance)),
    whenAbsent: options.infer === false ? undefined : () => inferredConfig({ workspace, validate: validateStack, warn: (line) => log.warn(line) }),
  });
  const records = new ProcessRecords(workspace, env);
  const metrics = await openHostMetrics({ workspace, env, version: HOST_VERSION, stack: () => config.state.stack, snapshot: () => core.snapshot(), warn: (line) => log.warn(line) });
  const health = new HealthMonitor({ probe: metrics.timeProbe(options.probe ?? createProbe(() => trusted)), cwd: workspace, clock: options.clock });
  // Assigned once the HTTP server is up; hostInfo() is asked before that too.
  let api: ApiServer | undefined;
  let feed: Feed | undefined;
  const hostInfo = (): HostInfo => ({
    pid: process.pid, port: api?.listeningPort ?? 0, url: `http://127.0.0.1:${api?.listeningPort ?? 0}`, version: HOST_VERSION,
    startedAt: new Date(startedAt).toISOString(), uptimeSec: Math.round((Date.now() - startedAt) / 100) / 10,
    connections: feed?.connections ?? 0, trusted,
  });
  let proxy: ProxyRole | undefined;
  const core = new StackCore({ workspace, config, health, log, hostInfo, records, namedUrls: () => namedUrlMap(proxy, workspace), createEngine: options.engineFactory ?? ((stack) => createEngine(stack, { workspace, env, onListenerError: (error) => log.error('Engine listener failed', error) })) });
  core.onEvent((event) => metrics.observe(event));
  feed = new Feed({ hello: () => ({ snapshot: core.snapshot(), events: core.events.recent(50) }), usage: () => metrics.usage() });
  // After metrics.observe (registered above) has counted the contest: every dashboard sees it at once.
  core.onEvent((event) => { if (isContestEvent(event)) feed!.publishUsage(metrics.usage()); });

  // With an editor the host still spawns every service; the editor shows each in a pseudo-terminal it feeds.
  const baseLauncher: Launcher = options.launcher ?? (options.connection ? new EditorLauncher(options.connection) : new ProcessLauncher());
  if (reaper) baseLauncher.attachReaper?.(reaper);
  const launcher = withFronts(compose.launcher(baseLauncher, (service) => core.portEngine.get(service)?.port), {
    stack: () => core.stack, port: (service) => core.portEngine.get(service)?.port, health: (service) => health.state(service)?.health,
    onHealthy: (listener) => health.onTransition((t) => { if (t.to === 'healthy') listener(t.service); }),
  });
  const runner = new StackRunner({
    workspace, launcher, engine: { get: (s) => core.portEngine.get(s), all: () => core.portEngine.all(), setRunning: (s, r) => core.portEngine.setRunning(s, r), errorOf: (s) => core.portEngine.errorOf(s) },
    config: () => core.stack,
    trusted: () => trusted,
    urls: () => launchUrls(core.snapshot().services),
    waitHealthy: (service, timeoutMs) => waitServing(core.stack, (s, t) => health.waitHealthy(s, t))(service, timeoutMs),
    isDetected: (service) => core.isDetected(service),
    claimPort: (service, when, started, quick) => core.claimPort(service, when, started, quick),
    external: (service) => {
      const holder = core.isExternal(service) ? core.detection(service)?.holder : undefined;
      return holder?.pid ? { pid: holder.pid, startTime: holder.startTime, command: holder.command ?? '' } : undefined;
    },
    stopExternal: (pid, startTime) => stopExternal(pid, startTime),
    onLaunched: (service, launched, command) => {
      const record = launched.record;
      if (!record) return;
      const forget = () => records.remove(record.pid).catch((error) => log.error(`Could not forget ${service}'s process`, error));
      records.add({ ...record, service, command, ...(options.detach ? { detached: true } : {}) })
        .then(() => { if (launched.exited) void forget(); }, (error) => log.error(`Could not record ${service}'s process`, error));
      launched.onExit(() => void forget());
    },
    log: (line) => log.info(line),
  });
  core.setRunner(runner);
  runner.on((event) => core.runnerEvent(event));

  const moveBack = (name: string) => moveBackService(name, {
    engine: core.portEngine, runnerOf: (s) => runner.runnerOf(s), isDetected: (s) => core.isDetected(s), restartService: (s) => runner.restartService(s),
  });
  const actions = {
    hasService: (name: string) => Object.prototype.hasOwnProperty.call(core.stack.services, name),
    service: (name: string, action: ServiceAction): Promise<ActionResult> =>
      action === 'start' ? runner.startService(name) : action === 'stop' ? runner.stopService(name)
        : action === 'move-back' ? moveBack(name) : runner.restartService(name),
    stack: (action: StackAction): Promise<ActionResult> => (action === 'start' ? runner.startStack() : runner.stopStack()),
  };
  api = new ApiServer({
    token, feed, startedAt, actions, webviewDir: options.webviewDir ?? defaultWebviewDir(),
    snapshot: () => core.snapshot(),
    version: () => core.version,
    events: (limit, after) => core.events.recent(limit, after),
    metrics: () => metrics.render(),
    usage: () => metrics.usage(),
    onError: (message, error) => log.error(message, error),
  });

  const ports = options.hostPorts?.length ? options.hostPorts : config.state.stack.host?.ports?.length ? config.state.stack.host.ports : DEFAULT_HOST_PORTS;
  let port: number;
  try {
    port = await api.listen(ports);
  } catch (error) {
    log.warn(`${(error as Error).message}; taking any free port instead`);
    port = await api.listen([0]);
  }
  const url = `http://127.0.0.1:${port}`;

  core.onEvent((event) => feed!.publishEvent(event));
  core.onSnapshot((snapshot) => feed!.publishSnapshot(snapshot));
  // Required only with an editor: the bridge brings the language-server library, which `manito up` never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (esbuild bundles it)
  const detachClient = options.connection ? (require('./clientBridge') as typeof import('./clientBridge')).attachClient(options.connection, core, config, log, {
    trustChanged: (value) => setTrusted(value),
  }) : () => undefined;

  await core.start();
  // What an earlier host (or `manito up --detach`) started here, proven by its record: ours to stop.
  for (const name of Object.keys(core.stack.services)) {
    const found = core.detection(name);
    if (found?.how === 'manito' && found.record && !runner.isRunning(name)) runner.adopt(name, recordedProcess(name, found.record, { reaper }));
  }
  config.watch((error) => log.error('Watching manito.json failed', error));
  // The compose file or its .env changed and read well: serve the stack again with its services.
  compose.onChange(() => config.reload(true));
  compose.watch((error) => log.error('Watching the compose file failed', error));
  const removeDiscovery = writeDiscoveryFile({ version: 1, pid: process.pid, port, url, workspace, token, startedAt: new Date(startedAt).toISOString() }, env);
  // Before the "listening" line: whoever waits for that line finds the host's scrape target too.
  const removeScrapeTarget = publishScrapeTarget({ stateDir: stateDir(env), pid: process.pid, port, workspace }, (line) => log.warn(line));
  // At once, not after the proxy starts: an exit from here on (the CLI's reader gone) leaves no record of a dead host.
  const onExit = () => {
    removeDiscovery();
    removeScrapeTarget();
  };
  process.on('exit', onExit);
  log.info(`Manito host listening on ${url} (pid ${process.pid}, workspace ${workspace})`);
  proxy = await startHostProxy({ env, port: options.proxyPort, log });
  // Named URLs appear (or go) when this host takes or loses the proxy, and when the routes change.
  const offProxy = proxy?.onChange(() => core.changed());
  if (proxy) core.changed();

  const onSignal = (signal: NodeJS.Signals) => {
    log.info(`Received ${signal}; stopping`);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  if (options.handleSignals ?? true) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  function setTrusted(value: boolean): void {
    if (trusted === value) return;
    trusted = value;
    log.info(`Workspace ${value ? 'trusted: commands from manito.json may run' : 'not trusted: no command from manito.json runs'}`);
    core.changed();
  }

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      removeDiscovery();
      removeScrapeTarget();
      try {
        if (options.detach) runner.detach();
        await runner.dispose();
      } catch (error) {
        log.error('Stopping services failed', error);
      }
      // Nothing is left for the reaper to end now; closing its pipe lets it exit.
      await reaper?.close();
      detachClient();
      if (baseLauncher instanceof EditorLauncher) baseLauncher.dispose();
      config.dispose();
      compose.dispose();
      health.dispose();
      await feed!.close();
      await api!.close();
      offProxy?.();
      await proxy?.stop();
      // Under an editor the terminals outlive this host: leave its leases to the next one.
      await core.dispose({ handOver: Boolean(options.connection) });
      await metrics.dispose();
      process.off('exit', onExit);
    })();
    return stopping;
  }

  function saveConfig(): SaveConfigResult {
    const result = saveServedConfig(config.state);
    if (result.ok) {
      log.info(result.message);
      // Served at once; the watcher would see the same file a moment later.
      config.reload();
    }
    return result;
  }

  return { port, url, token, core, runner, log, config, proxy, setTrusted, saveConfig, stop, moveBack };
}
