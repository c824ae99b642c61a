// The WebSocket feed on the host's port: `hello` (snapshot + recent events) on connect, then every
// event and every coalesced snapshot as it happens. Each message is serialised once for all.
// The WebSocket library is loaded at the first subscriber: `manito up` often has none, and loading
// it (with the TLS and zlib modules it requires) was a noticeable part of the host's start.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FeedMessage } from '../../protocol/http';
import type { ManitoEvent, StackSnapshot } from '../../protocol/model';
import type { UsageReport } from '../../protocol/usage';

/** A subscriber that lets this much pile up unread is cut off rather than grow the host's memory. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export interface FeedOptions {
  hello: () => { snapshot: StackSnapshot; events: ManitoEvent[] };
  /** The usage record, sent after `hello` to each new subscriber. */
  usage?: () => UsageReport;
}

export class Feed {
  private wss: WebSocketServer | undefined;
  private closed = false;

  constructor(private readonly options: FeedOptions) {}

  get connections(): number {
    return this.wss?.clients.size ?? 0;
  }

  /** Completes an upgrade the HTTP server already vetted (Host, Origin, path). */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const wss = this.server();
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  private server(): WebSocketServer {
    if (this.wss) return this.wss;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see the top); esbuild bundles it
    const { WebSocketServer: Server } = require('ws') as typeof import('ws');
    const wss = new Server({ noServer: true, maxPayload: 16 * 1024, perMessageDeflate: false });
    wss.on('connection', (ws) => {
      ws.on('error', () => ws.terminate());
      // Subscribers only listen; anything they send is ignored.
      ws.on('message', () => undefined);
      const { snapshot, events } = this.options.hello();
      this.sendTo(ws, JSON.stringify({ type: 'hello', snapshot, events } satisfies FeedMessage));
      if (this.options.usage) this.sendTo(ws, JSON.stringify({ type: 'usage', usage: this.options.usage() } satisfies FeedMessage));
    });
    this.wss = wss;
    return wss;
  }

  publishEvent(event: ManitoEvent): void {
    this.broadcast({ type: 'event', event });
  }

  publishSnapshot(snapshot: StackSnapshot): void {
    this.broadcast({ type: 'snapshot', snapshot });
  }

  publishUsage(usage: UsageReport): void {
    this.broadcast({ type: 'usage', usage });
  }

  private broadcast(message: FeedMessage): void {
    if (!this.wss || this.wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.wss.clients) this.sendTo(ws, text);
  }

  private sendTo(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  close(): Promise<void> {
    this.closed = true;
    const wss = this.wss;
    if (!wss) return Promise.resolve();
    for (const ws of wss.clients) ws.terminate();
    return new Promise((resolve) => wss.close(() => resolve()));
  }
}
