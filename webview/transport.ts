// How the dashboard talks to its host. In VS Code: postMessage to the extension, which relays
// the language client's notifications and runs actions. In a browser tab served by the host:
// the WebSocket feed (reconnecting) for state, and POSTs with the token for actions.
import type { ActionResult } from '../protocol/lsp';
import { API_SERVICES_PREFIX, API_STACK_PREFIX, TOKEN_HEADER } from '../protocol/http';
import type { FromWebview, ToWebview } from '../protocol/webview';
import type { PersistedState } from './dashboardState';
import { isToWebview } from './dashboardState';

export interface Transport {
  readonly mode: 'vscode' | 'browser';
  /** Start, stop and restart are possible. */
  readonly canControl: boolean;
  readonly canShowTerminal: boolean;
  start(onMessage: (message: ToWebview) => void): void;
  send(message: FromWebview): void;
  loadState(): PersistedState | null;
  saveState(state: PersistedState): void;
}

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function inVsCode(): boolean {
  return typeof acquireVsCodeApi === 'function';
}

export class VsCodeTransport implements Transport {
  readonly mode = 'vscode';
  readonly canControl = true;
  readonly canShowTerminal = true;
  private readonly api = acquireVsCodeApi();

  start(onMessage: (message: ToWebview) => void): void {
    window.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (isToWebview(e.data)) onMessage(e.data);
    });
    this.api.postMessage({ type: 'ready' });
  }

  send(message: FromWebview): void {
    this.api.postMessage(message);
  }

  loadState(): PersistedState | null {
    return (this.api.getState() as PersistedState | undefined) ?? null;
  }

  saveState(state: PersistedState): void {
    this.api.setState(state);
  }
}

const STATE_KEY = 'manito.dashboard.state';
const TOKEN_KEY = 'manito.dashboard.token';
const MAX_RETRY_MS = 10_000;

export interface FeedOptions {
  /** Absolute, or relative to the page (`/`): ws(s) is derived from the page's scheme. */
  feedUrl: string;
  token: string | null;
}

export class FeedTransport implements Transport {
  readonly mode = 'browser';
  readonly canShowTerminal = false;
  readonly canControl: boolean;
  private readonly url: string;
  private socket: WebSocket | null = null;
  private retryMs = 500;
  private onMessage: (message: ToWebview) => void = () => {};

  constructor(private readonly options: FeedOptions) {
    this.canControl = options.token !== null;
    this.url = feedSocketUrl(options.feedUrl, location.href);
  }

  start(onMessage: (message: ToWebview) => void): void {
    this.onMessage = onMessage;
    this.connect();
  }

  private connect(): void {
    this.onMessage({ type: 'connection', state: 'connecting', message: `Connecting to the Manito host at ${this.url}…` });
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 500;
      this.onMessage({ type: 'connection', state: 'connected', message: '' });
    });
    socket.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (typeof e.data !== 'string') return;
      let parsed: unknown;
      try { parsed = JSON.parse(e.data); } catch { return; }
      if (isToWebview(parsed)) this.onMessage(parsed);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const wait = this.retryMs;
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      this.onMessage({ type: 'connection', state: 'disconnected', message: `Lost the connection to the Manito host; retrying in ${Math.ceil(wait / 1000)} s.` });
      setTimeout(() => this.connect(), wait);
    });
  }

  send(message: FromWebview): void {
    // The browser page offers no save button (it says to run `manito scan --write`).
    if (message.type === 'ready' || message.type === 'saveConfig') return;
    // A browser tab opens links itself and has no terminals.
    if (message.type === 'action' && (message.action === 'openBrowser' || message.action === 'showTerminal')) return;
    const target = message.type === 'stack' ? 'stack' : message.service;
    if (!this.options.token) {
      this.onMessage({ type: 'actionResult', target, action: message.action, ok: false, message: 'Read-only: this page was opened without the host token.' });
      return;
    }
    const path = message.type === 'stack'
      ? `${API_STACK_PREFIX}${message.action}`
      : `${API_SERVICES_PREFIX}${encodeURIComponent(message.service)}/${message.action}`;
    void postAction(path, this.options.token).then((result) => {
      this.onMessage({ type: 'actionResult', target, action: message.action, ok: result.ok, message: result.message });
    });
  }

  loadState(): PersistedState | null {
    try {
      const raw = sessionStorage.getItem(STATE_KEY);
      return raw ? JSON.parse(raw) as PersistedState : null;
    } catch {
      return null;
    }
  }

  saveState(state: PersistedState): void {
    try { sessionStorage.setItem(STATE_KEY, JSON.stringify(state)); } catch { /* storage full or disabled: only reloads lose */ }
  }
}

async function postAction(path: string, token: string): Promise<ActionResult> {
  try {
    const response = await fetch(path, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: token, 'content-type': 'application/json' },
      body: '{}',
      cache: 'no-store',
    });
    // The host answers `{ success: true, data: ActionResult }` or `{ success: false, error }`.
    let body: { success?: boolean; data?: Partial<ActionResult>; error?: string } = {};
    try { body = await response.json() as typeof body; } catch { /* not JSON: the status says enough */ }
    const ok = response.ok && body.success !== false && body.data?.ok !== false;
    const message = body.data?.message ?? body.error ?? (ok ? '' : `The host answered ${response.status} ${response.statusText}`.trim());
    if (response.status === 401 || response.status === 403) return { ok: false, message: `Refused by the host (${response.status}): ${message}` };
    return { ok, message };
  } catch (error) {
    return { ok: false, message: `Could not reach the host: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** `/` on `http://127.0.0.1:41730/dashboard` becomes `ws://127.0.0.1:41730/`. */
export function feedSocketUrl(feedUrl: string, pageUrl: string): string {
  const url = new URL(feedUrl, pageUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}

/**
 * The token comes from `?token=` once; it is kept for this tab's session and taken out of the
 * address bar so it is not copied along with the link or caught in a screenshot.
 */
export function takeToken(pageToken: string | null): string | null {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl !== null) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  }
  const token = pageToken || fromUrl || safeSession(() => sessionStorage.getItem(TOKEN_KEY));
  if (token) safeSession(() => sessionStorage.setItem(TOKEN_KEY, token));
  return token || null;
}

function safeSession<T>(fn: () => T): T | null {
  try { return fn(); } catch { return null; }
}
