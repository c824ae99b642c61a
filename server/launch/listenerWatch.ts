// After a launch: asks, every few hundred ms, whose the listener on the service's port is, until
// it is the service's own, a foreign process won it, or the service ended (issue 12 rule 2). A
// dependent that saw the service answer wakes it for a look at once (LookNow).
import type { ClaimResult } from '../detect/portClaim';
import type { LaunchedService } from './launcher';

export interface ListenerWatchOptions {
  /** One look at the port (portClaim's 'afterLaunch'); `quick`: skip naming a holder when nothing answers. */
  claim: (quick: boolean) => Promise<ClaimResult>;
  /** The service ended (on its own, or stopped). */
  ended: () => boolean;
  /** Resolves when the service ends, so the watch looks once more without waiting out the interval. */
  whenEnded: Promise<unknown>;
  /** Lets a dependent that saw the service answer ask for a look now. */
  lookNow?: LookNow;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Wakes a listener watch for one look now instead of at its next tick. A dependent waits for its
 * dependency's listener to be proven its own; once the dependency answers a probe, that proof is
 * one look away, and waiting out the interval would hold the dependent up to 150 ms per edge.
 */
export class LookNow {
  private wake: (() => void) | undefined;
  /** A look asked for while the watch was looking, not sleeping: its next sleep ends at once. */
  private asked = false;

  look(): void {
    if (this.wake) this.wake();
    else this.asked = true;
  }

  /** The watch's pause between looks: `ms`, or until `until` resolves or look() is called. */
  async sleep(ms: number, until: Promise<unknown>): Promise<void> {
    if (this.asked) {
      this.asked = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => { this.wake = resolve; timer = setTimeout(resolve, ms).unref(); }), until]);
    clearTimeout(timer);
    this.wake = undefined;
  }
}

/** How often a watch names the port's holder even though nothing answers on it (see watchListener). */
const FULL_LOOK_MS = 1000;

/** The first answer that is not 'free'; 'free' when the service ended or never listened in time. */
export async function watchListener(options: ListenerWatchOptions): Promise<ClaimResult> {
  const deadline = Date.now() + options.timeoutMs;
  const lookNow = options.lookNow ?? new LookNow();
  // Looks while the service runs are quick (a refused connect), except one a second: a foreign
  // socket that holds the port without answering on loopback is still found, just less often.
  let lastFull = Date.now();
  for (;;) {
    const ended = options.ended();
    const quick = !ended && Date.now() < deadline && Date.now() - lastFull < FULL_LOOK_MS;
    const result = await options.claim(quick);
    if (!quick) lastFull = Date.now();
    // A service that died on EADDRINUSE leaves the winner on its port: that look still counts.
    if (result.type !== 'free' || ended || Date.now() >= deadline) return result;
    await lookNow.sleep(options.intervalMs, options.whenEnded);
  }
}

export interface VerifyLaunchOptions {
  name: string;
  launched: LaunchedService;
  /** Restarts so far after lost races; gives up after 3. */
  restarts: number;
  claim: (quick: boolean) => Promise<ClaimResult>;
  lookNow?: LookNow;
  /** False once the launch was stopped on purpose or the stack was stopped. */
  current: () => boolean;
  intervalMs: number;
  timeoutMs: number;
  log: (line: string) => void;
  stop: () => Promise<void>;
  /** Starts it again (on the port the move gave it); resolves with that launch's verification. */
  relaunch: () => Promise<boolean>;
}

/**
 * Resolves true once the listener on the service's port is its own process's. If a foreign process
 * won the port, the service was moved (portClaim): stop this launch and start it there.
 */
export async function verifyLaunch(o: VerifyLaunchOptions): Promise<boolean> {
  // A container's port is published by Docker (docker-proxy or a NAT rule, root's, outside any
  // tree of ours): the proof it is ours is the container Compose started under Manito's project.
  if (o.launched.container) return true;
  const result = await watchListener({
    claim: o.claim,
    ended: () => o.launched.exited || !o.current(),
    whenEnded: new Promise((resolve) => o.launched.onExit(resolve)),
    ...(o.lookNow ? { lookNow: o.lookNow } : {}),
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs,
  }).catch((error: unknown) => ({ type: 'failed' as const, message: (error as Error).message }));
  if (result.type === 'ours') return true;
  if (result.type === 'failed') o.log(`${o.name}: ${result.message}`);
  if (result.type !== 'moved' || !o.current()) return false;
  await o.stop();
  if (o.restarts >= 3) {
    o.log(`${o.name}: lost its port to another process ${o.restarts + 1} times; giving up`);
    return false;
  }
  try {
    return await o.relaunch();
  } catch (error) {
    o.log(`${o.name} failed to restart: ${(error as Error).message}`);
    return false;
  }
}
