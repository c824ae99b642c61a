// Messages between the extension and the dashboard webview. The browser dashboard served by the
// host receives the same `FeedMessage`s over the WebSocket feed.
import type { DashboardStrings } from './dashboardStrings';
import type { FeedMessage, ServiceAction } from './http';

export type ConnectionState = { type: 'connection'; state: 'connected' | 'connecting' | 'disconnected'; message: string };

export type DashboardAction = ServiceAction | 'openBrowser' | 'showTerminal' | 'saveConfig';

/** The outcome of a dashboard action, so the panel can clear its busy state and say what failed. */
export type ActionOutcome = {
  type: 'actionResult';
  /** A service name, or `stack` for stack actions. */
  target: string;
  action: DashboardAction;
  ok: boolean;
  message: string;
};

/** extension -> dashboard, first of all: the dashboard's words in the editor's display language. */
export type DashboardStringsMessage = { type: 'strings'; strings: DashboardStrings };

/** extension (or feed) -> dashboard */
export type ToWebview = FeedMessage | ConnectionState | ActionOutcome | DashboardStringsMessage;

/** dashboard -> extension */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'action'; action: DashboardAction; service: string }
  | { type: 'stack'; action: 'start' | 'stop' }
  /** Save the inferred (or default) stack as manito.json. */
  | { type: 'saveConfig' };

/** The id of the dashboard's webview panel (its serializer and `onWebviewPanel:` activation). */
export const DASHBOARD_VIEW_TYPE = 'manito.dashboard';
