// The proxy's HTTP server: routes a request by its Host to the service the user's leases name, and
// refuses everything else: absolute-form URIs and CONNECT (never an open proxy), names it does not
// route (a 404; the route list only for `.localhost` names), loops, malformed or oversized heads.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { forwardRequest, forwardUpgrade, hopsOf, MAX_HOPS, type ForwardContext } from './forwarding';
import { badGatewayPage, foreignHostPage, loopPage, PAGE_HEADERS, routesPage } from './proxyPages';
import type { ServiceRoute } from './routeNames';
import type { RouteSource } from './routeSource';

/** Bounds on what a client may send before the proxy gives up on it. */
export const PROXY_LIMITS = {
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 200,
  headersTimeoutMs: 20_000,
  /** The whole request, body included: generous for uploads to a dev server. */
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
} as const;

export interface ProxyHandlerOptions {
  routes: RouteSource;
  agent: http.Agent;
  proto?: 'http' | 'https';
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

type Refusal = { status: number; text: string; html?: string };

export interface ProxyServer {
  readonly http: http.Server;
  /** Stops listening and drops every connection, upgraded ones too, so the port is free at once. */
  close(): Promise<void>;
}

export function createProxyServer(options: ProxyHandlerOptions): ProxyServer {
  const upgraded = new Set<Duplex>();
  const server = http.createServer({
    maxHeaderSize: PROXY_LIMITS.maxHeaderSize,
    headersTimeout: PROXY_LIMITS.headersTimeoutMs,
    requestTimeout: PROXY_LIMITS.requestTimeoutMs,
    keepAliveTimeout: PROXY_LIMITS.keepAliveTimeoutMs,
    noDelay: true,
  });
  server.maxHeadersCount = PROXY_LIMITS.maxHeadersCount;
  const proto = options.proto ?? 'http';

  /** The route for a request, or why there is none. */
  const resolve = (req: http.IncomingMessage): { route: ServiceRoute; ctx: ForwardContext } | Refusal => {
    if (req.url?.[0] !== '/') return { status: 400, text: 'Absolute-form and asterisk-form request targets are refused: this proxy is no open proxy.' };
    const name = hostnameOf(req.headers.host);
    if (!name) return { status: 400, text: 'The request has no Host header.' };
    const route = options.routes.route(name);
    if (!route) {
      const html = isLoopbackName(name) ? routesPage(name, options.routes.table().routes, authorityOf(req.headers.host)) : foreignHostPage();
      return { status: 404, text: 'No Manito service by this name.', html };
    }
    const hops = hopsOf(req.rawHeaders);
    if (hops >= MAX_HOPS) return { status: 508, text: 'Loop detected.', html: loopPage() };
    return { route, ctx: { proto, hops } };
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const found = resolve(req);
    if (!('route' in found)) {
      // A request refused as malformed ends its connection; a browser asking for an unknown name may go on.
      if (found.status === 400) res.shouldKeepAlive = false;
      res.writeHead(found.status, found.html ? PAGE_HEADERS : { 'Content-Type': 'text/plain; charset=utf-8', 'X-Manito-Proxy': '1' });
      res.end(found.html ?? `${found.text}\n`);
      return;
    }
    const { route, ctx } = found;
    forwardRequest(req, res, route.port, options.agent, ctx, (r, error) => {
      r.writeHead(502, PAGE_HEADERS);
      r.end(badGatewayPage(route, error.code ?? error.message));
    });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const found = resolve(req);
    if (!('route' in found)) return refuseRaw(socket, found.status, found.text);
    forwardUpgrade(req, socket, head, found.route.port, found.ctx, (s, error) => refuseRaw(s, 502, `${found.route.service} is not answering on port ${found.route.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
  });

  // No tunnels: CONNECT would make the proxy a way out to any address.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    refuseRaw(socket, 405, 'CONNECT is refused: this proxy is no open proxy.');
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    refuseRaw(socket, status, `The request could not be read (${error.code ?? 'malformed'}).`);
  });

  return {
    http: server,
    close: () => new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
    }),
  };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 502: 'Bad Gateway', 508: 'Loop Detected' };

/** Answers on a socket the HTTP machinery has let go of (upgrade, CONNECT, parse errors), then closes it. */
function refuseRaw(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Manito-Proxy: 1\r\nConnection: close\r\n\r\n${body}`);
  // Closed once the answer is flushed, whatever the client does with its side.
  socket.once('finish', () => socket.destroy());
}
