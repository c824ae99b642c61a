// Which tree rows VS Code holds a resolved tooltip for, and when to drop one that has gone stale.
// VS Code asks resolveTreeItem for a row's tooltip once and keeps the answer until that row is
// refreshed, but refreshing a row also closes a tooltip showing on it. So a stale row is refreshed
// as soon as another row's tooltip is asked for (one tooltip shows at a time), or else once its
// reader has had `graceMs` with it. Plain TypeScript with injected timers, tested without VS Code.

export interface TooltipTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TooltipTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long a reader has with a tooltip before its row may be refreshed under it. */
export const TOOLTIP_GRACE_MS = 5000;

interface Resolved {
  /** The tooltip text VS Code holds for the row. */
  shown: string;
  at: number;
  /** Set once the row's data no longer reads as `shown`: its refresh is scheduled. */
  timer?: unknown;
}

export class ResolvedTooltips {
  private readonly rows = new Map<string, Resolved>();

  /** `refresh(row)` re-renders that one row, so VS Code forgets its tooltip and resolves it afresh. */
  constructor(
    private readonly refresh: (row: string) => void,
    private readonly graceMs = TOOLTIP_GRACE_MS,
    private readonly timers: TooltipTimers = realTimers,
  ) {}

  /** VS Code has just resolved `row`'s tooltip as `shown`, and is about to show it. */
  resolved(row: string, shown: string): void {
    this.forget(row);
    // Any other stale row's tooltip has just been replaced by this one: refresh it now. Deferred,
    // because VS Code asks that no tree change fire from inside resolveTreeItem.
    for (const [other, entry] of this.rows) if (entry.timer !== undefined) this.schedule(other, entry, 0);
    this.rows.set(row, { shown, at: this.timers.now() });
  }

  /** The host's state changed; `current(row)` is what the row's tooltip would say now (undefined: gone). */
  changed(current: (row: string) => string | undefined): void {
    for (const [row, entry] of this.rows) {
      if (entry.timer !== undefined || current(row) === entry.shown) continue;
      this.schedule(row, entry, entry.at + this.graceMs - this.timers.now());
    }
  }

  /** The whole tree was re-rendered: VS Code holds no resolved tooltip any more. */
  reset(): void {
    for (const row of [...this.rows.keys()]) this.forget(row);
  }

  dispose(): void {
    this.reset();
  }

  private schedule(row: string, entry: Resolved, delayMs: number): void {
    if (entry.timer !== undefined) this.timers.clearTimeout(entry.timer);
    entry.timer = this.timers.setTimeout(() => {
      if (this.rows.get(row) !== entry) return;
      this.rows.delete(row);
      this.refresh(row);
    }, Math.max(0, delayMs));
  }

  private forget(row: string): void {
    const entry = this.rows.get(row);
    if (entry?.timer !== undefined) this.timers.clearTimeout(entry.timer);
    this.rows.delete(row);
  }
}
