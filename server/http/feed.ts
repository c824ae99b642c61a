// The WebSocket feed on the host's port: `hello` (snapshot + recent events) on connect, then every
// event and every coalesced snapshot as it happens. Each message is serialised once for all.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
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
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, perMessageDeflate: false });

  constructor(private readonly options: FeedOptions) {
    this.wss.on('connection', (ws) => {
      ws.on('error', () => ws.terminate());
      // Subscribers only listen; anything they send is ignored.
      ws.on('message', () => undefined);
      const { snapshot, events } = this.options.hello();
      this.sendTo(ws, JSON.stringify({ type: 'hello', snapshot, events } satisfies FeedMessage));
      if (this.options.usage) this.sendTo(ws, JSON.stringify({ type: 'usage', usage: this.options.usage() } satisfies FeedMessage));
    });
  }

  get connections(): number {
    return this.wss.clients.size;
  }

  /** Completes an upgrade the HTTP server already vetted (Host, Origin, path). */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
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
    if (this.wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.wss.clients) this.sendTo(ws, text);
  }

  private sendTo(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
