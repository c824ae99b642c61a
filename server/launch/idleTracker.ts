// Counts the operations in flight (a start, a stop) and wakes whoever waits for none to be. The
// runner's exit events can arrive before the stop that caused them returns, so callers such as
// host shutdown and tests wait here rather than on any single promise.
export class IdleTracker {
  private busy = 0;
  private waiters: Array<() => void> = [];

  /** Runs `operation`, counted as in flight until it settles. */
  async track<T>(operation: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await operation();
    } finally {
      if (--this.busy === 0) for (const resolve of this.waiters.splice(0)) resolve();
    }
  }

  /** Resolves at once when nothing is in flight, else when the last operation settles. */
  whenIdle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
