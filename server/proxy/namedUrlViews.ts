// Lays the proxy's named URLs over the views every surface reads (tree, status bar, dashboard, CLI,
// /api/ports) and over the launch environment (MANITO_<SERVICE>_URL), so each says the same URL.
import { primaryUrl, type ServiceView } from '../../protocol/model';
import type { ProxyRole } from './proxyRole';

/** Service name -> named URL, in the scheme its kind speaks (`ws://` for a WebSocket service). */
export type NamedUrlMap = Readonly<Record<string, string>>;

/** The named URLs of one workspace's services; empty when no proxy is on or none can serve. */
export function namedUrlMap(proxy: Pick<ProxyRole, 'namedUrls'> | undefined, workspace: string): NamedUrlMap {
  return proxy?.namedUrls(workspace)?.services ?? {};
}

/** Views with `namedUrl` set where the proxy routes the service; the same array when it routes none. */
export function withNamedUrls(views: ServiceView[], named: NamedUrlMap): ServiceView[] {
  if (Object.keys(named).length === 0) return views;
  return views.map((view) => {
    const url = Object.prototype.hasOwnProperty.call(named, view.name) ? named[view.name] : undefined;
    // A service with no port has nothing behind its name: the proxy would answer 502.
    if (!url || view.port === null) return view;
    return { ...view, namedUrl: view.kind === 'websocket' ? url.replace(/^http:/, 'ws:') : url };
  });
}

/** Every service with a URL -> the URL a dependent should use (named first), for MANITO_<SERVICE>_URL. */
export function launchUrls(views: readonly ServiceView[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const view of views) {
    const url = primaryUrl(view);
    if (url !== null && view.port !== null) out.set(view.name, url);
  }
  return out;
}
