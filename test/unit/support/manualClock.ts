// A clock whose timers fire only when a test advances time, for the pure modules that take their
// timers injected (the health monitor, the tree's tooltip refresher).

export class ManualClock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;

  constructor(public t = 0) {}

  now(): number { return this.t; }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void { this.timers = this.timers.filter((x) => x.id !== handle); }

  get pending(): number { return this.timers.length; }

  /** Advances time to `now + ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.fireNext(end)) { /* fired one */ }
    this.t = end;
  }

  /** advance(), letting promises settle before and after each timer (for code that awaits). */
  async advanceSettling(ms: number): Promise<void> {
    const end = this.t + ms;
    do await settle(); while (this.fireNext(end));
    this.t = end;
    await settle();
  }

  /** Fires the earliest timer due by `end`; false when there is none. */
  private fireNext(end: number): boolean {
    this.timers.sort((a, b) => a.at - b.at);
    const due = this.timers[0];
    if (!due || due.at > end) return false;
    this.timers.shift();
    this.t = Math.max(this.t, due.at);
    due.fn();
    return true;
  }
}

const settle = async () => { for (let i = 0; i < 10; i++) await Promise.resolve(); };
