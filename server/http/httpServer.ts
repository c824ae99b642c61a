// The host's HTTP API and feed on one loopback port: every request passes the Host and Origin
// guards; state-changing POSTs also need the token and a JSON body. Nothing a client sends can
// crash the host: every failure is answered with {success:false,error} or the socket is dropped.
import * as http from 'node:http';
import type { Socket } from 'node:net';
import {
  API_EVENTS_PATH, API_HEALTH_PATH, API_PORTS_PATH, API_SERVICES_PREFIX, API_SNAPSHOT_PATH, API_STACK_PREFIX, API_USAGE_PATH,
  DASHBOARD_PATH, FEED_PATH, METRICS_PATH, TOKEN_HEADER, type ErrorResponse, type ServiceAction, type StackAction,
} from '../../protocol/http';
import { API_WHOAMI_PATH } from '../../protocol/discovery';
import type { ActionResult } from '../../protocol/lsp';
import type { ManitoEvent, StackSnapshot } from '../../protocol/model';
import { whoamiBody } from '../discovery/discoveryFile';
import type { UsageReport } from '../../protocol/usage';
import { healthBody, portsBody } from './apiBodies';
import type { Feed } from './feed';
import { isAllowedHost, isAllowedOrigin, isJsonContentType, tokenMatches } from './guards';
import { DASHBOARD_ASSETS, DASHBOARD_ASSET_PREFIX, dashboardHeaders, dashboardNonce, renderDashboardPage } from './dashboardPage';
import { readStaticFile } from './staticFiles';

export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_HEADER_BYTES = 8 * 1024;
/** What an oversized body may still send, dropped, while its 413 goes out. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

export interface ApiActions {
  service(name: string, action: ServiceAction): Promise<ActionResult>;
  stack(action: StackAction): Promise<ActionResult>;
  hasService(name: string): boolean;
}

export interface ApiServerOptions {
  token: string;
  feed: Feed;
  snapshot: () => StackSnapshot;
  /** Changes whenever the snapshot may have: the /api/ports body is cached until it does. */
  version: () => number;
  events: (limit: number, afterId: number) => ManitoEvent[];
  actions: ApiActions;
  startedAt: number;
  webviewDir: string;
  /** `GET /metrics` in the Prometheus text format, readable without the token like /api/ports. */
  metrics?: () => { body: string; contentType: string };
  /** `GET /api/usage`: the workspace's usage record. */
  usage?: () => UsageReport;
  onError: (message: string, error: unknown) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function sendJson(res: http.ServerResponse, status: number, body: unknown, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

function sendError(res: http.ServerResponse, status: number, error: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { success: false, error } satisfies ErrorResponse);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return reject(new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Answer first and keep reading what the client still sends, dropped: closing now would cut
        // the 413 off (the client is still writing). A sender that never stops is cut at a bound.
        req.removeAllListeners('data');
        let dropped = 0;
        req.on('data', (more: Buffer) => {
          dropped += more.length;
          if (dropped > MAX_DRAIN_BYTES) req.socket.destroy();
        });
        reject(new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A raw HTTP answer for sockets that never became a request (bad syntax, huge headers) or a refused upgrade. */
function rawReply(socket: { writable: boolean; end(data: string): void; destroy(): void }, status: number, reason: string, error: string): void {
  if (!socket.writable) return socket.destroy();
  const body = JSON.stringify({ success: false, error } satisfies ErrorResponse);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

export class ApiServer {
  readonly server: http.Server;
  private port = 0;
  /** /api/ports is what apps poll: serialised once per change, not once per request. */
  private portsCache: { version: number; body: Buffer; headers: http.OutgoingHttpHeaders } | undefined;

  constructor(private readonly options: ApiServerOptions) {
    // requireHostHeader off: a request without Host reaches the guard and gets the JSON refusal every
    // other refusal gets, not Node's plain 400.
    this.server = http.createServer({ requireHostHeader: false, maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
      this.handle(req, res).catch((error) => {
        if (error instanceof HttpError) return sendError(res, error.status, error.message);
        options.onError(`HTTP ${req.method} ${req.url} failed`, error);
        sendError(res, 500, 'Internal error; see the host log');
      });
    });
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'HPE_HEADER_OVERFLOW') rawReply(socket, 431, 'Request Header Fields Too Large', 'Request headers too large');
      else if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.destroy();
      else rawReply(socket, 400, 'Bad Request', `Malformed HTTP request (${error.code ?? 'parse error'})`);
    });
    this.server.on('upgrade', (req, socket: Socket, head) => this.upgrade(req, socket, head));
  }

  /** Listens on 127.0.0.1 at the first free port of `ports` (0 = any). Resolves with the port taken. */
  async listen(ports: readonly number[]): Promise<number> {
    const candidates = ports.length ? ports : [0];
    let lastError: unknown;
    for (const port of candidates) {
      try {
        this.port = await new Promise<number>((resolve, reject) => {
          const onError = (error: Error) => reject(error);
          this.server.once('error', onError);
          this.server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
            this.server.off('error', onError);
            resolve((this.server.address() as { port: number }).port);
          });
        });
        return this.port;
      } catch (error) {
        lastError = error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      }
    }
    throw new Error(`No free port for the host API among ${candidates.join(', ')}: ${(lastError as Error).message}`);
  }

  get listeningPort(): number { return this.port; }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private guard(req: http.IncomingMessage): HttpError | undefined {
    if (!isAllowedHost(req.headers.host, this.port)) return new HttpError(421, 'Refused: the Host header must be localhost, 127.0.0.1 or [::1] with this port');
    if (!isAllowedOrigin(req.headers.origin, this.port)) return new HttpError(403, 'Refused: cross-origin requests are not allowed');
    return undefined;
  }

  private upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      const refused = this.guard(req);
      if (refused) return rawReply(socket, refused.status, refused.status === 421 ? 'Misdirected Request' : 'Forbidden', refused.message);
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== FEED_PATH) return rawReply(socket, 404, 'Not Found', `No WebSocket endpoint at ${url.pathname}; the feed is at ${FEED_PATH}`);
      this.options.feed.accept(req, socket, head);
    } catch (error) {
      this.options.onError('WebSocket upgrade failed', error);
      socket.destroy();
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const refused = this.guard(req);
    if (refused) throw refused;
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const method = req.method ?? 'GET';
    if (q < 0 && raw === API_PORTS_PATH && method === 'GET') return this.ports(res, false);
    const url = new URL(raw, 'http://localhost');
    const path = url.pathname;
    if (method === 'POST') return this.post(req, res, path);
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `Method ${method} not allowed`);
    const head = method === 'HEAD';
    const o = this.options;
    switch (path) {
      case API_PORTS_PATH: return this.ports(res, head);
      case API_HEALTH_PATH: {
        const detailed = url.searchParams.get('detailed') === 'true';
        return sendJson(res, 200, healthBody(o.snapshot(), detailed, { connections: o.feed.connections, startedAt: o.startedAt }), head);
      }
      case API_SNAPSHOT_PATH: return sendJson(res, 200, { success: true, data: o.snapshot() }, head);
      case API_WHOAMI_PATH: {
        // Proves to a client holding the discovery record that this is its host, without the token leaving.
        const snapshot = o.snapshot();
        const body = whoamiBody(o.token, url.searchParams.get('nonce'), { pid: snapshot.host.pid, port: this.port, workspace: snapshot.workspace });
        if (typeof body === 'string') throw new HttpError(400, body);
        return sendJson(res, 200, body, head);
      }
      case API_USAGE_PATH:
        if (o.usage) return sendJson(res, 200, { success: true, data: o.usage() }, head);
        break;
      case API_EVENTS_PATH: {
        const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 50) || 50, 1), 200);
        const after = Number(url.searchParams.get('after') ?? 0) || 0;
        return sendJson(res, 200, { success: true, data: o.events(limit, after) }, head);
      }
      case FEED_PATH:
      case DASHBOARD_PATH: return this.dashboard(req, res, url, head);
      case METRICS_PATH: {
        if (!o.metrics) break;
        const { body, contentType } = o.metrics();
        res.writeHead(200, { ...BASE_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
        res.end(head ? undefined : body);
        return;
      }
    }
    if (path.startsWith(DASHBOARD_ASSET_PREFIX)) {
      const file = readStaticFile(o.webviewDir, path.slice(DASHBOARD_ASSET_PREFIX.length));
      if (!file) throw new HttpError(404, `No such file: ${path}`);
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': file.type, 'content-length': file.body.length });
      res.end(head ? undefined : file.body);
      return;
    }
    throw new HttpError(404, `No such endpoint: ${method} ${path}`);
  }

  private ports(res: http.ServerResponse, head: boolean): void {
    const version = this.options.version();
    if (this.portsCache?.version !== version) {
      const body = Buffer.from(JSON.stringify(portsBody(this.options.snapshot())));
      this.portsCache = { version, body, headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': body.length } };
    }
    res.writeHead(200, this.portsCache.headers);
    res.end(head ? undefined : this.portsCache.body);
  }

  /** The browser dashboard; it gets the token (and so its action buttons) only when the URL carried it. */
  private dashboard(req: http.IncomingMessage, res: http.ServerResponse, url: URL, head: boolean): void {
    const given = url.searchParams.get('token') ?? undefined;
    const token = given !== undefined && tokenMatches(given, this.options.token) ? this.options.token : undefined;
    const nonce = dashboardNonce();
    // The Host header passed the allowlist, so it is safe to echo into the feed URL.
    const feedUrl = `ws://${req.headers.host}${FEED_PATH}`;
    const html = renderDashboardPage({ nonce, ...DASHBOARD_ASSETS, feedUrl, ...(token ? { token } : {}) });
    res.writeHead(200, {
      ...dashboardHeaders(nonce, feedUrl), 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html),
    });
    res.end(head ? undefined : html);
  }

  private async post(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    let result: ActionResult;
    const service = path.startsWith(API_SERVICES_PREFIX) ? /^([^/]+)\/(start|stop|restart|move-back)$/.exec(path.slice(API_SERVICES_PREFIX.length)) : null;
    const stack = path.startsWith(API_STACK_PREFIX) ? /^(start|stop)$/.exec(path.slice(API_STACK_PREFIX.length)) : null;
    if (!service && !stack) throw new HttpError(404, `No such endpoint: POST ${path}`);
    if (!tokenMatches(req.headers[TOKEN_HEADER], this.options.token)) throw new HttpError(401, `Missing or wrong ${TOKEN_HEADER} header`);
    if (!isJsonContentType(req.headers['content-type'])) throw new HttpError(415, 'Content-Type must be application/json');
    const text = await readBody(req);
    if (text.trim()) {
      try {
        JSON.parse(text);
      } catch {
        throw new HttpError(400, 'Request body is not valid JSON');
      }
    }
    if (service) {
      let name: string;
      try {
        name = decodeURIComponent(service[1]);
      } catch {
        throw new HttpError(400, 'Malformed service name');
      }
      if (!this.options.actions.hasService(name)) throw new HttpError(404, `Unknown service "${name}"`);
      result = await this.options.actions.service(name, service[2] as ServiceAction);
    } else {
      result = await this.options.actions.stack(stack![1] as StackAction);
    }
    if (result.ok) sendJson(res, 200, { success: true, data: result });
    else sendJson(res, 409, { success: false, error: result.message } satisfies ErrorResponse);
  }
}
