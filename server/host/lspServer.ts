// The host as a language-server-style process: answers the custom requests of protocol/lsp.ts,
// starts the host on `initialize` with the extension's HostInitOptions, stops it on `shutdown`.
import type { Connection, InitializeResult } from 'vscode-languageserver/node';
import { GetEvents, GetHealth, GetPorts, GetSnapshot, MoveBackService, RestartService, SaveInferredConfig, SettingsChanged, StartService, StartStack, StopService, StopStack, type ActionResult, type HostInitOptions } from '../../protocol/lsp';
import { healthBody, portsBody } from '../http/apiBodies';
import { PORT_DIAGNOSTIC_CAPABILITIES, PortDiagnostics } from './portDiagnostics';
import type { RunHostOptions, RunningHost } from './runHost';
import { HOST_VERSION } from './version';

function parseInitOptions(value: unknown, fallbackWorkspace: string | undefined): HostInitOptions {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Partial<HostInitOptions>;
  const workspace = typeof o.workspace === 'string' && o.workspace ? o.workspace : fallbackWorkspace;
  if (!workspace) throw new Error('initializationOptions.workspace is required (the folder that holds manito.json)');
  const hostPorts = Array.isArray(o.hostPorts) ? o.hostPorts.filter((p) => Number.isInteger(p) && p > 0 && p < 65536) : undefined;
  return {
    workspace, trusted: o.trusted === true, ...(hostPorts?.length ? { hostPorts } : {}),
    hardcodedPortDiagnostics: o.hardcodedPortDiagnostics !== false,
  };
}

export function serveLsp(connection: Connection, start: (options: RunHostOptions) => Promise<RunningHost>): { host: () => Promise<RunningHost> | undefined } {
  let hostPromise: Promise<RunningHost> | undefined;
  const host = (): Promise<RunningHost> => hostPromise ?? Promise.reject(new Error('The host is not initialized yet'));
  const action = (fn: (h: RunningHost) => Promise<ActionResult>) => async (): Promise<ActionResult> => {
    try {
      return await fn(await host());
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  };

  connection.onInitialize((params): InitializeResult => {
    const rootPath = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const fallback = rootPath?.startsWith('file:') ? new URL(rootPath).pathname : params.rootPath ?? undefined;
    const init = parseInitOptions(params.initializationOptions, fallback);
    hostPromise = start({ workspace: init.workspace, connection, trusted: init.trusted, hostPorts: init.hostPorts });
    // The request handlers report a failed start; this only keeps it from being an unhandled rejection.
    hostPromise.catch((error) => connection.console.error(`Manito host failed to start: ${(error as Error).stack ?? error}`));
    const diagnostics = new PortDiagnostics(connection, init.workspace, init.hardcodedPortDiagnostics !== false);
    connection.onNotification(SettingsChanged.type, (settings) => diagnostics.setEnabled(settings?.hardcodedPortDiagnostics !== false));
    void hostPromise.then((h) => diagnostics.attach(h), () => undefined);
    return { capabilities: PORT_DIAGNOSTIC_CAPABILITIES, serverInfo: { name: 'Manito', version: HOST_VERSION } };
  });

  connection.onRequest(GetSnapshot.type, async () => (await host()).core.snapshot());
  connection.onRequest(GetEvents.type, async (p) => (await host()).core.events.recent(Number.isInteger(p?.limit) && p.limit > 0 ? Math.min(p.limit, 200) : 50));
  connection.onRequest(GetPorts.type, async () => portsBody((await host()).core.snapshot()));
  connection.onRequest(GetHealth.type, async () => {
    const h = await host();
    const snapshot = h.core.snapshot();
    return healthBody(snapshot, true, { connections: snapshot.host.connections, startedAt: Date.parse(snapshot.host.startedAt) });
  });
  connection.onRequest(StartStack.type, action((h) => h.runner.startStack()));
  connection.onRequest(StopStack.type, action((h) => h.runner.stopStack()));
  connection.onRequest(StartService.type, (p) => action((h) => h.runner.startService(p.service))());
  connection.onRequest(StopService.type, (p) => action((h) => h.runner.stopService(p.service, { force: p.force === true }))());
  connection.onRequest(RestartService.type, (p) => action((h) => h.runner.restartService(p.service))());
  connection.onRequest(MoveBackService.type, (p) => action((h) => h.moveBack(p.service))());

  connection.onRequest(SaveInferredConfig.type, async () => {
    try {
      return (await host()).saveConfig();
    } catch (error) {
      return { ok: false, message: (error as Error).message, path: '' };
    }
  });

  connection.onShutdown(async () => {
    if (hostPromise) await (await hostPromise.catch(() => undefined))?.stop();
  });
  return { host: () => hostPromise };
}
