// The "Manito: Open Dashboard" webview panel: one at a time, revived after a reload, showing the
// host's state live and running the actions the dashboard asks for through the language client.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { dashboardStrings, eventKey, isFromWebview } from './dashboardMessages';
import type { RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ServiceAction } from '../protocol/http';
import { type ActionResult, GetEvents, MoveBackService, RestartService, type ServiceParams, StartService, StartStack, StopService, StopStack } from '../protocol/lsp';
import { SAVE_INFERRED_COMMAND } from '../protocol/configOrigin';
import { primaryUrl, type ManitoEvent, type StackSnapshot } from '../protocol/model';
import { isContestEvent } from '../protocol/usage';
import { fetchUsage } from './usageRecord';
import { type ConnectionState, DASHBOARD_VIEW_TYPE, type DashboardAction, type FromWebview, type ToWebview } from '../protocol/webview';
import { dashboardShell } from '../webview/pageShell';
import { stopWithConfirmation } from './stopConfirm';

/** The part of the host controller the dashboard reads and drives. */
export interface DashboardHost {
  readonly state: 'stopped' | 'starting' | 'running' | 'failed';
  readonly snapshot: StackSnapshot | undefined;
  /** One sentence for when the host cannot act. */
  readonly unavailableReason: string;
  readonly onDidChangeState: vscode.Event<unknown>;
  readonly onDidChangeSnapshot: vscode.Event<StackSnapshot>;
  readonly onDidReceiveEvent: vscode.Event<ManitoEvent>;
  request<R>(type: RequestType0<R, void>): Promise<R>;
  request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
}

export interface DashboardDeps {
  host: DashboardHost;
  /** Reveals a service's integrated terminal; false when it has none. */
  terminals: { show(service: string): boolean };
  log?: { warn(message: string): void };
}

const MAX_BUFFERED_EVENTS = 200;
const SERVICE_REQUESTS: Record<ServiceAction, RequestType<ServiceParams, ActionResult, void>> = {
  start: StartService.type,
  stop: StopService.type,
  restart: RestartService.type,
  'move-back': MoveBackService.type,
};

/**
 * Events seen since activation, so a dashboard opened later still shows what happened before.
 * One per host controller; registerDashboard starts it early.
 */
class RecentEvents implements vscode.Disposable {
  private readonly events: ManitoEvent[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(host: DashboardHost) {
    this.subscription = host.onDidReceiveEvent((event) => {
      this.events.push(event);
      if (this.events.length > MAX_BUFFERED_EVENTS) this.events.splice(0, this.events.length - MAX_BUFFERED_EVENTS);
    });
  }

  list(): ManitoEvent[] {
    return [...this.events];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

const recentByHost = new WeakMap<DashboardHost, RecentEvents>();

function recentEvents(host: DashboardHost): RecentEvents {
  let recent = recentByHost.get(host);
  if (!recent) {
    recent = new RecentEvents(host);
    recentByHost.set(host, recent);
  }
  return recent;
}

export class DashboardPanel implements vscode.Disposable {
  static readonly viewType = DASHBOARD_VIEW_TYPE;
  private static current: DashboardPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly webviewRoot: vscode.Uri;
  private ready = false;

  /** Shows the dashboard, creating it beside the active editor if it is not open. */
  static createOrShow(extensionUri: vscode.Uri, deps: DashboardDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, vscode.l10n.t('Manito Dashboard'), vscode.ViewColumn.Active,
      DashboardPanel.webviewOptions(extensionUri));
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, deps);
    return DashboardPanel.current;
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, deps: DashboardDeps): DashboardPanel {
    DashboardPanel.current?.dispose();
    panel.webview.options = DashboardPanel.webviewOptions(extensionUri);
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, deps);
    return DashboardPanel.current;
  }

  static get currentPanel(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the built dashboard: no sources, no node_modules, no workspace files.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      // Hidden panels are rebuilt from getState and a fresh `hello` rather than kept in memory.
      retainContextWhenHidden: false,
      enableFindWidget: true,
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: DashboardDeps,
  ) {
    this.webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'manito.svg');
    panel.webview.html = this.html();
    const host = deps.host;
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isFromWebview(message)) void this.receive(message);
      }),
      host.onDidChangeSnapshot((snapshot) => this.post({ type: 'snapshot', snapshot })),
      host.onDidReceiveEvent((event) => {
        this.post({ type: 'event', event });
        if (isContestEvent(event)) void this.postUsage();
      }),
      host.onDidChangeState(() => {
        this.post(this.connection());
        if (host.state === 'running' && host.snapshot) this.post({ type: 'snapshot', snapshot: host.snapshot });
      }),
    );
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(18).toString('base64');
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, name)).toString();
    return dashboardShell({
      csp: [
        "default-src 'none'",
        `style-src ${webview.cspSource}`,
        `font-src ${webview.cspSource}`,
        `img-src ${webview.cspSource} data:`,
        `script-src 'nonce-${nonce}'`,
      ].join('; '),
      nonce,
      scriptUri: asset('dashboard.js'),
      styleUri: asset('dashboard.css'),
      codiconUri: asset('codicon.css'),
    });
  }

  private async postUsage(): Promise<void> {
    const snapshot = this.deps.host.snapshot;
    const usage = snapshot && (await fetchUsage(snapshot));
    if (usage) this.post({ type: 'usage', usage });
  }

  private post(message: ToWebview): void {
    // Until the webview says it is ready its listener is not there; `ready` sends everything.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private connection(): ConnectionState {
    const host = this.deps.host;
    switch (host.state) {
      case 'running': return { type: 'connection', state: 'connected', message: '' };
      case 'starting': return { type: 'connection', state: 'connecting', message: vscode.l10n.t('The Manito host is starting…') };
      default: return { type: 'connection', state: 'disconnected', message: host.unavailableReason };
    }
  }

  private async receive(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        const host = this.deps.host;
        this.post({ type: 'strings', strings: dashboardStrings() });
        this.post(this.connection());
        if (host.snapshot) {
          const events = await this.initialEvents();
          if (host.snapshot) this.post({ type: 'hello', snapshot: host.snapshot, events });
          await this.postUsage();
        }
        return;
      }
      case 'stack': {
        const result = await this.run(() => this.deps.host.request(message.action === 'start' ? StartStack.type : StopStack.type));
        this.post({ type: 'actionResult', target: 'stack', action: message.action, ...result });
        return;
      }
      case 'saveConfig':
        await vscode.commands.executeCommand(SAVE_INFERRED_COMMAND);
        return;
      case 'action': {
        const result = await this.act(message.action, message.service);
        this.post({ type: 'actionResult', target: message.service, action: message.action, ...result });
        return;
      }
    }
  }

  private async act(action: DashboardAction, service: string): Promise<ActionResult> {
    switch (action) {
      case 'start':
      case 'stop':
      case 'restart':
        // Stop on an external service asks first, as the tree's Stop does.
        return this.run(() => action === 'stop'
          ? stopWithConfirmation(service, (params) => this.deps.host.request(StopService.type, params))
          : this.deps.host.request(SERVICE_REQUESTS[action], { service }));
      case 'move-back':
        return this.run(() => this.deps.host.request(SERVICE_REQUESTS[action], { service }));
      case 'openBrowser': {
        const view = this.deps.host.snapshot?.services.find((s) => s.name === service);
        const url = view ? primaryUrl(view) : null;
        if (!url || !/^https?:\/\//i.test(url)) return { ok: false, message: vscode.l10n.t('{0} has no web URL to open.', service) };
        // asExternalUri makes localhost reachable from where the user sits (remote, tunnels).
        const external = await vscode.env.asExternalUri(vscode.Uri.parse(url));
        const opened = await vscode.env.openExternal(external);
        return { ok: opened, message: opened ? '' : vscode.l10n.t('Could not open {0}.', url) };
      }
      case 'saveConfig':
        return { ok: false, message: 'saveConfig is a stack action' };
      case 'showTerminal':
        return this.deps.terminals.show(service)
          ? { ok: true, message: '' }
          : { ok: false, message: vscode.l10n.t('{0} has no terminal in this window: it was not started by Manito here.', service) };
    }
  }

  private async run(request: () => Promise<ActionResult>): Promise<ActionResult> {
    try {
      return await request();
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * The host's own recent events over the language client (the same typed protocol as everything
   * else), then those seen since activation that it no longer has (an earlier host's, say).
   */
  private async initialEvents(): Promise<ManitoEvent[]> {
    const seen = recentEvents(this.deps.host).list();
    try {
      const fromHost = await this.deps.host.request(GetEvents.type, { limit: MAX_BUFFERED_EVENTS });
      const known = new Set(fromHost.map(eventKey));
      // Oldest first, as the host sends them (ISO times sort as text; the sort is stable).
      return [...seen.filter((e) => !known.has(eventKey(e))), ...fromHost].sort((a, b) => a.time.localeCompare(b.time));
    } catch (error) {
      this.deps.log?.warn(`dashboard: could not read the host's recent events: ${error instanceof Error ? error.message : String(error)}`);
      return seen;
    }
  }
}

/** Registers the serializer that revives the panel after a reload; starts remembering events. */
export function registerDashboard(context: vscode.ExtensionContext, deps: DashboardDeps): vscode.Disposable {
  const recent = recentEvents(deps.host);
  const serializer = vscode.window.registerWebviewPanelSerializer(DashboardPanel.viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
      DashboardPanel.revive(panel, context.extensionUri, deps);
    },
  });
  return new vscode.Disposable(() => {
    serializer.dispose();
    recent.dispose();
    recentByHost.delete(deps.host);
    DashboardPanel.currentPanel?.dispose();
  });
}
