// Messages between the extension and the dashboard webview. The browser dashboard served by the
// host receives the same `FeedMessage`s over the WebSocket feed.
import type { FeedMessage, ServiceAction } from './http';

export type ConnectionState = { type: 'connection'; state: 'connected' | 'connecting' | 'disconnected'; message: string };

/** extension (or feed) -> dashboard */
export type ToWebview = FeedMessage | ConnectionState;

export type DashboardAction = ServiceAction | 'openBrowser' | 'showTerminal';

/** dashboard -> extension */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'action'; action: DashboardAction; service: string }
  | { type: 'stack'; action: 'start' | 'stop' };
