// The proxy's server: a plain TCP listener whose connections read request heads themselves
// (pairedConnection) and route each by its Host to the service the user's leases name. It
// refuses everything else: absolute-form URIs and CONNECT (never an open proxy), names it does not
// route (a 404; the route list only for `.localhost` names), loops, malformed or oversized heads.
import * as net from 'node:net';
import { headerValues, type RequestHead } from './httpHead';
import { PairedConnection } from './pairedConnection';
import { textAnswer, type Answer, type Decision } from './proxyAnswer';
import { badGatewayPage, foreignHostPage, loopPage, PAGE_HEADERS, routesPage } from './proxyPages';
import type { RouteSource } from './routeSource';
import { hopsOf, MAX_HOPS } from './upstreamHead';

/** Bounds on what a client may send before the proxy gives up on it. */
export const PROXY_LIMITS = {
  maxSize: 16 * 1024,
  maxCount: 200,
  headersTimeoutMs: 20_000,
  /** The whole request, body included: generous for uploads to a dev server. */
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
} as const;

export interface ProxyHandlerOptions {
  routes: RouteSource;
  proto?: 'http' | 'https';
  /** Tests shorten the clocks to see a slow client cut off. */
  limits?: Partial<Record<keyof typeof PROXY_LIMITS, number>>;
}

/** The Host header's name part, lowercased, without port or trailing dot; undefined when there is none. */
export function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) name = name.slice(1, name.indexOf(']') > 0 ? name.indexOf(']') : undefined);
  else {
    const colon = name.lastIndexOf(':');
    if (colon >= 0 && /^\d*$/.test(name.slice(colon + 1))) name = name.slice(0, colon);
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name || undefined;
}

/** Names no other site can make a browser send: the route list may be shown to them. */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '::1';
}

/** `:<port>` as the client wrote it in Host, so the list's links go where the request went. */
function authorityOf(host: string | undefined): string {
  const port = /:(\d+)$/.exec(host ?? '')?.[1];
  return port ? `:${port}` : '';
}

export interface ProxyServer {
  readonly listener: net.Server;
  /** Stops listening and drops every connection, upgraded ones too, so the port is free at once. */
  close(): Promise<void>;
}

/** Where a request goes, or the proxy's own answer: every guard of the proxy is here. */
export function decide(routes: RouteSource, req: RequestHead): Decision {
  if (req.target[0] !== '/') return textAnswer(400, 'Absolute-form and asterisk-form request targets are refused: this proxy is no open proxy.');
  const hosts = headerValues(req, 'host');
  const name = hosts.length === 1 ? hostnameOf(hosts[0]) : undefined;
  if (!name) return textAnswer(400, 'The request needs exactly one Host header.');
  const upgrade = headerValues(req, 'upgrade').length > 0;
  const route = routes.route(name);
  if (!route) {
    const body = isLoopbackName(name) ? routesPage(name, routes.table().routes, authorityOf(hosts[0])) : foreignHostPage();
    return { status: 404, headers: PAGE_HEADERS, body, close: upgrade };
  }
  const hops = hopsOf(req);
  if (hops >= MAX_HOPS) return { status: 508, headers: PAGE_HEADERS, body: loopPage(), close: upgrade };
  return {
    port: route.port,
    hops,
    fail: (error): Answer => ({ status: 502, headers: PAGE_HEADERS, body: badGatewayPage(route, error.code ?? error.message), close: upgrade }),
  };
}

export function createProxyServer(options: ProxyHandlerOptions): ProxyServer {
  const connections = new Set<PairedConnection>();
  const proto = options.proto ?? 'http';
  const connectionOptions = { limits: { ...PROXY_LIMITS, ...options.limits }, proto, decide: (req: RequestHead) => decide(options.routes, req) };
  // allowHalfOpen: a client that shuts its side after a request still gets the response.
  const listener = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const connection: PairedConnection = new PairedConnection(socket, connectionOptions, () => connections.delete(connection));
    connections.add(connection);
  });
  // One sweep for every connection's deadline (idle, slow heads and bodies, lingering closes), not a timer per request.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of connections) if (c.deadline <= now) c.expire();
  }, Math.min(500, connectionOptions.limits.headersTimeoutMs, connectionOptions.limits.keepAliveTimeoutMs));
  sweep.unref();
  listener.once('close', () => clearInterval(sweep));
  return {
    listener,
    close: () => new Promise<void>((resolve) => {
      clearInterval(sweep);
      for (const c of connections) c.destroy();
      if (!listener.listening) return resolve();
      listener.close(() => resolve());
    }),
  };
}
