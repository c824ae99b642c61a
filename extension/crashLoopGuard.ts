// Decides whether a crashed host is restarted: yes, until it has crashed `limit` times within
// `windowMs`. Plain TypeScript with an injected clock, so it is tested without waiting.

export class CrashLoopGuard {
  private crashes: number[] = [];

  private _limit: number;

  constructor(
    limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this._limit = checkedLimit(limit);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  }

  get limit(): number {
    return this._limit;
  }

  /** The user changed the setting: crashes already counted stay counted against the new limit. */
  set limit(limit: number) {
    this._limit = checkedLimit(limit);
  }

  /** Records a crash; true when the host should be restarted once more. */
  recordCrash(): boolean {
    const t = this.now();
    this.crashes = this.crashes.filter((at) => t - at < this.windowMs);
    this.crashes.push(t);
    return this.crashes.length < this._limit;
  }

  /** Crashes inside the current window. */
  get recent(): number {
    const t = this.now();
    return this.crashes.filter((at) => t - at < this.windowMs).length;
  }

  /** A restart the user asked for starts with a clean slate. */
  reset(): void {
    this.crashes = [];
  }
}

function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return limit;
}
