// The dashboard panel's message helpers: the words it is sent in the display language, the key that
// names one event across hosts, and the check every message from the webview passes first.
import * as vscode from 'vscode';
import { DASHBOARD_STRINGS, type DashboardStringKey, type DashboardStrings } from '../protocol/dashboardStrings';
import type { ManitoEvent } from '../protocol/model';
import type { FromWebview } from '../protocol/webview';

/** The dashboard's words in the editor's display language (English keys from protocol/). */
export function dashboardStrings(): DashboardStrings {
  const out = {} as Record<DashboardStringKey, string>;
  for (const [key, english] of Object.entries(DASHBOARD_STRINGS) as [DashboardStringKey, string][]) out[key] = vscode.l10n.t(english);
  return out;
}

/** Ids restart with each host; with the time they name one event. */
export function eventKey(event: ManitoEvent): string {
  return `${event.id}@${event.time}`;
}

export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready': return true;
    case 'stack': return m.action === 'start' || m.action === 'stop';
    case 'saveConfig': return true;
    case 'action':
      return typeof m.service === 'string'
        && ['start', 'stop', 'restart', 'move-back', 'openBrowser', 'showTerminal'].includes(m.action as string);
    default: return false;
  }
}
