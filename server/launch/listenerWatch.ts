// After a launch: asks, every few hundred ms, whose the listener on the service's port is, until
// it is the service's own, a foreign process won it, or the service ended (issue 12 rule 2).
import type { ClaimResult } from '../detect/portClaim';

export interface ListenerWatchOptions {
  /** One look at the port (portClaim's 'afterLaunch'). */
  claim: () => Promise<ClaimResult>;
  /** The service ended (on its own, or stopped). */
  ended: () => boolean;
  /** Resolves when the service ends, so the watch looks once more without waiting out the interval. */
  whenEnded: Promise<unknown>;
  intervalMs: number;
  timeoutMs: number;
}

/** The first answer that is not 'free'; 'free' when the service ended or never listened in time. */
export async function watchListener(options: ListenerWatchOptions): Promise<ClaimResult> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const ended = options.ended();
    const result = await options.claim();
    // A service that died on EADDRINUSE leaves the winner on its port: that look still counts.
    if (result.type !== 'free' || ended || Date.now() >= deadline) return result;
    await Promise.race([
      new Promise((resolve) => setTimeout(resolve, options.intervalMs).unref()),
      options.whenEnded,
    ]);
  }
}
