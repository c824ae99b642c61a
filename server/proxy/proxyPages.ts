// The pages the proxy answers itself: the 404 that lists the user's own routes (only to a request
// addressed to a `.localhost` name, which no other site can rebind), the bare 404 for a foreign
// Host, and the 502 of a service that does not answer. Static HTML, every value escaped, no script.
import { escapeAttr as escape } from '../../webview/pageShell';
import type { ServiceRoute } from './routeNames';

export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Manito-Proxy': '1',
} as const;

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:56rem;padding:0 1rem;color:#1f2328;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}a{color:#58a6ff}}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #8884}
code{font-family:ui-monospace,monospace}.muted{opacity:.7}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/** `authority` is what follows the name in links: `:<port>` as the request reached the proxy, or ''. */
export function routesPage(host: string, routes: readonly ServiceRoute[], authority: string): string {
  const rows = routes.flatMap((r) => [
    ...(r.mainHost ? [row(r.mainHost, r, authority, 'main web service')] : []),
    row(r.host, r, authority, ''),
  ]).join('');
  const list = routes.length
    ? `<table><thead><tr><th>Name</th><th>Service</th><th>Workspace</th><th>Port</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>No Manito service is running for this user right now.</p>';
  return page('No Manito service by this name', `<h1>No Manito service is named <code>${escape(host)}</code></h1>` +
    `<p class="muted">Manito names every web service its hosts run: <code>&lt;service&gt;.&lt;workspace&gt;.localhost</code>, ` +
    `and <code>&lt;workspace&gt;.localhost</code> for a workspace's main web service.</p>${list}`);
}

function row(host: string, r: ServiceRoute, authority: string, note: string): string {
  const href = `http://${host}${authority}/`;
  return `<tr><td><a href="${escape(href)}">${escape(host)}</a></td><td>${escape(r.service)}${note ? ` <span class="muted">(${note})</span>` : ''}</td>` +
    `<td><code>${escape(r.workspace)}</code></td><td>${r.port}</td></tr>`;
}

export function foreignHostPage(): string {
  return page('Not found', '<h1>Not found</h1><p>This is a local development proxy; it answers only to its own <code>.localhost</code> names.</p>');
}

export function badGatewayPage(route: ServiceRoute, reason: string): string {
  return page('Service not answering', `<h1>${escape(route.service)} is not answering</h1>` +
    `<p>Manito routes <code>${escape(route.host)}</code> to port ${route.port} (workspace <code>${escape(route.workspace)}</code>), ` +
    `but nothing answered there: ${escape(reason)}. Start the service, or wait while it restarts.</p>`);
}

export function loopPage(): string {
  return page('Loop detected', '<h1>Loop detected</h1><p>This request came back through the Manito proxy several times: ' +
    'a service is sending requests to its own name. Point its proxy at the other service\'s name (and rewrite the Host header).</p>');
}
