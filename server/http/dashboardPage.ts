// The dashboard as a browser tab, served by the host at `/` and `/dashboard`: the same bundle as
// the VS Code panel, fed by the WebSocket feed; it can act only when opened with the host token.
import { randomBytes } from 'node:crypto';
import { dashboardShell } from '../../webview/pageShell';

export interface DashboardPageOptions {
  /** Fresh per response: `dashboardNonce()`. */
  nonce: string;
  /** e.g. `/webview/dashboard.js`, served from dist/webview/. */
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** The WebSocket feed, absolute (`ws://127.0.0.1:41730/`) or relative to the page (`/`). */
  feedUrl: string;
  /** Only when the request carried the right token: the page then offers start, stop, restart. */
  token?: string;
}

/** The static files the page refers to, under DASHBOARD_ASSET_PREFIX, all from dist/webview/. */
export const DASHBOARD_ASSET_PREFIX = '/webview/';
export const DASHBOARD_ASSETS = {
  scriptUri: `${DASHBOARD_ASSET_PREFIX}dashboard.js`,
  styleUri: `${DASHBOARD_ASSET_PREFIX}dashboard.css`,
  codiconUri: `${DASHBOARD_ASSET_PREFIX}codicon.css`,
} as const;

export function dashboardNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * The Content-Security-Policy header for the page: nothing but its own origin's files, the one
 * nonce'd script, and connections back to the host (fetch for actions, the WebSocket feed).
 */
export function dashboardCsp(nonce: string, feedUrl?: string, where: 'header' | 'meta' = 'header'): string {
  const connect = ["'self'"];
  if (feedUrl && /^wss?:\/\//i.test(feedUrl)) connect.push(new URL(feedUrl).origin);
  return [
    "default-src 'none'",
    "style-src 'self'",
    "font-src 'self'",
    "img-src 'self' data:",
    `script-src 'nonce-${nonce}'`,
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    // Only honoured in the header; a <meta> copy would just log a warning.
    ...(where === 'header' ? ["frame-ancestors 'none'"] : []),
  ].join('; ');
}

/** Headers to send with the page, besides Content-Type. */
export function dashboardHeaders(nonce: string, feedUrl?: string): Record<string, string> {
  return {
    'Content-Security-Policy': dashboardCsp(nonce, feedUrl),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

export function renderDashboardPage(options: DashboardPageOptions): string {
  return dashboardShell({
    csp: dashboardCsp(options.nonce, options.feedUrl, 'meta'),
    nonce: options.nonce,
    scriptUri: options.scriptUri,
    styleUri: options.styleUri,
    codiconUri: options.codiconUri,
    data: { 'feed-url': options.feedUrl, token: options.token },
  });
}
