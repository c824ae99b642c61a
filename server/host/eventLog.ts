// Numbered, timestamped events in a bounded ring: the feed's `hello` replays the recent ones and
// subscribers (LSP client, WebSocket feed) get each as it happens.
import { Emitter } from 'vscode-jsonrpc';
import type { EventBody, ManitoEvent } from '../../protocol/model';

export class EventLog {
  private readonly ring: ManitoEvent[] = [];
  private nextId = 1;
  private readonly emitter = new Emitter<ManitoEvent>();

  constructor(private readonly capacity = 200, private readonly now: () => number = Date.now) {}

  push(body: EventBody): ManitoEvent {
    const event = { ...body, id: this.nextId++, time: new Date(this.now()).toISOString() } as ManitoEvent;
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    this.emitter.fire(event);
    return event;
  }

  /** Events with an id above `afterId`, oldest first, at most `limit`. */
  recent(limit = 50, afterId = 0): ManitoEvent[] {
    const newer = this.ring.filter((e) => e.id > afterId);
    return newer.slice(Math.max(0, newer.length - limit));
  }

  on(listener: (event: ManitoEvent) => void): () => void {
    const subscription = this.emitter.event(listener);
    return () => subscription.dispose();
  }
}
