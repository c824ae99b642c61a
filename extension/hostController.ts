// Owns the language client that runs the Manito host: start, stop with a timeout, restart, the
// restart policy (the client's own default error handler, wrapped to tell the user), and the last
// state the host pushed (snapshot, status). Everything else in the extension reads the host here.
import * as vscode from 'vscode';
import {
  CloseAction, type CloseHandlerResult, type ErrorHandler, LanguageClient, type LanguageClientOptions, RevealOutputChannelOn, type ServerOptions, State, TransportKind,
} from 'vscode-languageclient/node';
import type { RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import {
  EventOccurred, GetSnapshot, type HostInitOptions, HostStatus, type HostStatusParams,
  ServiceEnded, ServiceInput, ServiceOutput, ServiceStarted, ServiceTerminal, type ServiceDataParams,
  SnapshotChanged, TrustChanged,
} from '../protocol/lsp';
import type { TerminalHost } from './terminalHost';
import type { ManitoEvent, StackSnapshot } from '../protocol/model';
import type { Log } from './log';
import { currentSettings } from './settings';
import { HOST_DOCUMENT_SELECTOR, hostSettings } from './portDiagnosticsClient';

export type HostState = 'stopped' | 'starting' | 'running' | 'failed';

export type { TerminalHost } from './terminalHost';

export interface HostControllerOptions {
  workspace: string;
  hostModule: string;
  terminals: TerminalHost;
  log: Log;
  /** Crashes within three minutes the client restarts the host after, before it gives up and asks. */
  restartLimit?: number;
  stopTimeoutMs?: number;
}

const CLIENT_ID = 'manito';
const CLIENT_NAME = 'Manito Host';

export class HostController implements vscode.Disposable {
  /** Crashes within three minutes the client's restart policy allows (setting `manito.host.restartLimit`). */
  private restartLimit: number;
  private client: LanguageClient | undefined;
  /** Lives as long as the extension. */
  private readonly disposables: vscode.Disposable[] = [];
  /** Cleared every time the client stops or is replaced. */
  private clientDisposables: vscode.Disposable[] = [];
  private stopping = false;
  /** Set between a crash and the client's own restart, so the interim Stopped is not a failure. */
  private restartPending = false;
  private _state: HostState = 'stopped';
  private _snapshot: StackSnapshot | undefined;
  private _status: HostStatusParams | undefined;
  private _lastError: string | undefined;

  private readonly stateEmitter = new vscode.EventEmitter<HostState>();
  private readonly snapshotEmitter = new vscode.EventEmitter<StackSnapshot>();
  private readonly statusEmitter = new vscode.EventEmitter<HostStatusParams>();
  private readonly eventEmitter = new vscode.EventEmitter<ManitoEvent>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeSnapshot = this.snapshotEmitter.event;
  readonly onDidChangeStatus = this.statusEmitter.event;
  readonly onDidReceiveEvent = this.eventEmitter.event;

  constructor(private readonly options: HostControllerOptions) {
    this.restartLimit = options.restartLimit ?? 5;
    this.disposables.push(
      this.stateEmitter,
      this.snapshotEmitter,
      this.statusEmitter,
      this.eventEmitter,
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.options.log.info('workspace trusted: telling the host it may run commands');
        void this.notify(TrustChanged.type, { trusted: true });
      }),
    );
  }

  get state(): HostState { return this._state; }
  get snapshot(): StackSnapshot | undefined { return this._snapshot; }
  get status(): HostStatusParams | undefined { return this._status; }

  get isRunning(): boolean { return this._state === 'running' && this.client?.isRunning() === true; }

  /** One sentence for messages when the host cannot act. */
  get unavailableReason(): string {
    switch (this._state) {
      case 'starting': return vscode.l10n.t('The Manito host is still starting.');
      case 'failed': return this._lastError ? vscode.l10n.t('The Manito host is not running ({0}).', this._lastError) : vscode.l10n.t('The Manito host is not running.');
      default: return vscode.l10n.t('The Manito host is stopped.');
    }
  }

  async start(): Promise<void> {
    if (this.client) return;
    this.stopping = false;
    this.setState('starting');
    const client = this.createClient();
    this.client = client;
    this.clientDisposables.push(
      client.onDidChangeState(({ newState }) => this.onClientState(client, newState)),
      client.onNotification(SnapshotChanged.type, (snapshot) => this.acceptSnapshot(snapshot)),
      client.onNotification(HostStatus.type, (status) => {
        this._status = status;
        this.statusEmitter.fire(status);
      }),
      client.onNotification(EventOccurred.type, (event) => this.eventEmitter.fire(event)),
      client.onRequest(ServiceTerminal.type, (params) => this.options.terminals.serviceTerminal(params)),
      client.onNotification(ServiceStarted.type, ({ service, pid }) => this.options.terminals.serviceStarted(service, pid)),
      client.onNotification(ServiceOutput.type, (params) => this.options.terminals.serviceOutput(params)),
      client.onNotification(ServiceEnded.type, (params) => this.options.terminals.serviceEnded(params)),
    );
    try {
      await client.start();
    } catch (error) {
      if (this.client !== client) return;
      this._lastError = error instanceof Error ? error.message : String(error);
      this.options.log.error('the Manito host failed to start', error);
      this.setState('failed');
      void this.offerRestart(vscode.l10n.t('The Manito host failed to start: {0}', this._lastError));
    }
  }

  /** Stops the host; after `timeoutMs` the client gives up waiting for a clean shutdown. */
  async stop(timeoutMs = this.options.stopTimeoutMs ?? 2000): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    this.client = undefined;
    try {
      if (client.needsStop()) await client.stop(timeoutMs);
    } catch (error) {
      this.options.log.warn(`the host did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      for (const d of this.clientDisposables.splice(0)) d.dispose();
      await client.dispose(timeoutMs).catch(() => undefined);
      this.setState('stopped');
    }
  }

  /** The restart-limit setting changed: the client's restart policy takes it from the next start of the host on. */
  setCrashLimit(limit: number): void {
    this.restartLimit = limit;
  }

  /** A restart the user asked for: new client, so a fresh crash budget; terminals stay as they are. */
  async restart(): Promise<void> {
    this.options.log.info('restarting the Manito host');
    this._lastError = undefined;
    await this.stop();
    await this.start();
  }

  /** Resolves with the first snapshot after the host is up, or undefined after `timeoutMs`. */
  waitForSnapshot(timeoutMs = 10_000): Promise<StackSnapshot | undefined> {
    if (this._snapshot && this.isRunning) return Promise.resolve(this._snapshot);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(this._snapshot);
      }, timeoutMs);
      const sub = this.onDidChangeSnapshot((snapshot) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(snapshot);
      });
    });
  }

  async request<R>(type: RequestType0<R, void>): Promise<R>;
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  async request<P, R>(type: RequestType0<R, void> | RequestType<P, R, void>, params?: P): Promise<R> {
    const client = this.client;
    if (!client || !this.isRunning) throw new Error(this.unavailableReason);
    return params === undefined
      ? client.sendRequest(type as RequestType0<R, void>)
      : client.sendRequest(type as RequestType<P, R, void>, params);
  }

  /** Typed in a service's pseudo-terminal: for its stdin. */
  async sendInput(params: ServiceDataParams): Promise<void> {
    await this.notify(ServiceInput.type, params);
  }

  async refreshSnapshot(): Promise<StackSnapshot | undefined> {
    try {
      this.acceptSnapshot(await this.request(GetSnapshot.type));
    } catch (error) {
      this.options.log.warn(`could not read the host's state: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this._snapshot;
  }

  async dispose(): Promise<void> {
    await this.stop();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Sends a notification to a running host; dropped (and logged) when it is not running. */
  async notify<P>(type: { method: string }, params: P): Promise<void> {
    const client = this.client;
    if (!client || !this.isRunning) return;
    try {
      await client.sendNotification(type.method, params);
    } catch (error) {
      this.options.log.warn(`could not notify the host (${type.method}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private createClient(): LanguageClient {
    const { hostModule, workspace, log } = this.options;
    const run = { module: hostModule, transport: TransportKind.ipc, options: { env: { ...process.env }, cwd: workspace } };
    const serverOptions: ServerOptions = { run, debug: { ...run, options: { ...run.options, execArgv: ['--nolazy', '--inspect=6019'] } } };
    // The client's own policy (restart up to N crashes within 3 minutes), created once the client exists.
    let policy: ErrorHandler | undefined;
    const clientOptions: LanguageClientOptions = {
      documentSelector: HOST_DOCUMENT_SELECTOR,
      outputChannel: log.hostChannel,
      // Errors reach the user through our own messages and Log.error, not a channel popping up.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: (): HostInitOptions => {
        const ports = currentSettings().hostPorts;
        return {
          workspace,
          trusted: vscode.workspace.isTrusted,
          ...(ports.length ? { hostPorts: ports } : {}),
          hardcodedPortDiagnostics: hostSettings().hardcodedPortDiagnostics,
        };
      },
      initializationFailedHandler: (error) => {
        this._lastError = error instanceof Error ? error.message : String(error);
        return false;
      },
      errorHandler: {
        error: async (error, message, count) => ({ ...(await policy!.error(error, message, count)), handled: true }),
        closed: async () => this.onHostClosed(await policy!.closed()),
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    policy = client.createDefaultErrorHandler(this.restartLimit);
    return client;
  }

  /** The client's policy decided; this says so to the user and keeps our state in step. */
  private onHostClosed(decision: CloseHandlerResult): CloseHandlerResult {
    if (this.stopping) return { action: CloseAction.DoNotRestart, handled: true };
    if (decision.action === CloseAction.Restart) {
      this.options.log.warn('the Manito host exited unexpectedly; restarting it');
      this.restartPending = true;
      this.setState('starting');
      return { action: CloseAction.Restart, handled: true };
    }
    this._lastError = `crashed more than ${this.restartLimit} times in 3 minutes`;
    this.options.log.error(`the Manito host ${this._lastError}; not restarting it`);
    this.setState('failed');
    void this.offerRestart(vscode.l10n.t('The Manito host crashed more than {0} times in {1} minutes and was not restarted.', this.restartLimit, 3));
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private onClientState(client: LanguageClient, state: State): void {
    if (this.client !== client) return;
    if (state === State.Running) {
      this.restartPending = false;
      this.setState('running');
      void this.refreshSnapshot();
    } else if (state === State.Starting) {
      this.setState('starting');
    } else if (state === State.Stopped && this._state !== 'failed' && !this.stopping && !this.restartPending) {
      // Stopped without our asking and without a restart coming (e.g. shut down after errors).
      this.setState('failed');
    }
  }

  private acceptSnapshot(snapshot: StackSnapshot): void {
    this._snapshot = snapshot;
    this.snapshotEmitter.fire(snapshot);
  }

  private setState(state: HostState): void {
    if (this._state === state) return;
    this._state = state;
    this.stateEmitter.fire(state);
  }

  private async offerRestart(message: string): Promise<void> {
    const restart = vscode.l10n.t('Restart Host');
    const logs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showErrorMessage(message, restart, logs);
    if (choice === restart) await this.restart();
    else if (choice === logs) this.options.log.show();
  }
}
