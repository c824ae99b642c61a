// A second thread for checking many ports at once. Each check is a real bind, and a bind is mostly
// kernel time (a socket to create, bind, listen and close: about 10 µs here), so a stack of fifty
// services spends most of its allocation, and of every heal pass, in binds one after another.
// With a helper thread the two threads bind different ports at the same time.
//
// Both threads claim ports from one shared counter, so neither waits for work the other has not
// started: a helper that is slow to wake, busy, or gone only means this thread binds more of the
// ports itself. The helper answers only what it can answer at once (a free port); a port it could
// not bind is checked again here, where the full bind (with its error events) runs.
//
// Every claim and every answer carries the round's tag, so nothing from one round can be taken
// for another: a claim is a compare-and-swap on (tag, index), which fails once the round is over,
// and an answer with another round's tag is not an answer.
import { Worker } from 'node:worker_threads';

/** Below this many ports, waking the helper costs more than it saves (measured: break-even near 12). */
export const PARALLEL_MIN = 16;
/** The helper stops after this long unused, so a host that allocated once does not keep a thread. */
const IDLE_MS = 60_000;
/** How long to wait for a port the helper has claimed: one bind, so this only trips if it stalls. */
const CLAIMED_WAIT_MS = 50;
/** Stalls after which the helper is not started again in this process. */
const MAX_STALLS = 3;
/** How long to spin for a claimed port's answer before sleeping on it (see awaitAnswer). */
const SPIN_MS = 0.2;
/** How long the helper stays awake after a heads-up, waiting for the ports (expectBinds). */
const HEADS_UP_MS = 2;
/** helperOnly (tests): how long the helper may take to start. */
const START_WAIT_MS = 5_000;

/**
 * The shared memory, one Int32Array per helper: the doorbell (a round counter, written only by
 * this thread), the claim counter NEXT = tag * INDEX_SPAN + next index (PARKED between rounds),
 * the port count, then CAPACITY ports and CAPACITY answers (tag * 4 + FREE or RECHECK; 0 while
 * pending). Larger checks run their first CAPACITY ports in a round and the rest here.
 */
const BELL = 0;
const NEXT = 1;
const COUNT = 2;
const PORTS = 3;
const CAPACITY = 1024;
const RESULTS = PORTS + CAPACITY;
const INDEX_SPAN = 2048; // > CAPACITY
const TAGS = 1 << 19; // tag * INDEX_SPAN stays a positive int32
const PARKED = -1;
const PENDING = 0;
const FREE = 1;
const RECHECK = 2;

/** The tag of round `bell`: never 0, so an answer is never PENDING, and never PARKED. */
const tagOf = (bell: number) => (bell % (TAGS - 1)) + 1;

/**
 * The helper's code, evaluated as its own small script (the host bundle is large, and a thread
 * that boots it would cost more than it saves). Between rounds it sleeps in Atomics.wait on the
 * doorbell: waking it costs this thread a store and a notify, where a postMessage costs ~20 µs.
 * Its bind mirrors portProbe's bindDualStackNow: listen() with no host binds the dual-stack
 * wildcard synchronously, and `listening` is then true for a free port. `stallMs` is for tests:
 * the helper stalls that long after each claim, as a thread the system stopped would.
 */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const a = new Int32Array(workerData.buffer);
const stallMs = workerData.stallMs;
let reusable;
function freeNow(port) {
  const server = reusable || net.createServer();
  reusable = undefined;
  server.listen({ port, exclusive: true });
  if (server.listening) {
    server.close();
    reusable = server;
    return true;
  }
  // Busy: the error comes on a later tick (the turn between rounds); the socket is closed already.
  server.once('error', () => {});
  return false;
}
const tagOf = (bell) => (bell % ${TAGS - 1}) + 1;
function claimAll(tag) {
  for (;;) {
    const cur = Atomics.load(a, ${NEXT});
    if (cur < 0 || Math.floor(cur / ${INDEX_SPAN}) !== tag) return;
    const i = cur % ${INDEX_SPAN};
    if (i >= Atomics.load(a, ${COUNT})) return;
    if (Atomics.compareExchange(a, ${NEXT}, cur, cur + 1) !== cur) continue;
    if (stallMs) { const until = performance.now() + stallMs; while (performance.now() < until) {} }
    // Still this round? The main thread parks NEXT when it gives up on a stalled helper, and the
    // port must then not be bound behind its back.
    const now = Atomics.load(a, ${NEXT});
    if (now < 0 || Math.floor(now / ${INDEX_SPAN}) !== tag) return;
    Atomics.store(a, ${RESULTS} + i, tag * 4 + (freeNow(a[${PORTS} + i]) ? ${FREE} : ${RECHECK}));
    Atomics.notify(a, ${RESULTS} + i);
  }
}
let bell = 0;
// One round per turn of the event loop: the turn in between runs the closed sockets' callbacks
// and the busy ports' error ticks, which would otherwise pile up for the thread's whole life.
function nextRound() {
  Atomics.wait(a, ${BELL}, bell);
  bell = Atomics.load(a, ${BELL});
  if (Atomics.load(a, ${COUNT}) === 0) {
    // A heads-up (expectBinds): ports are coming; watch the doorbell without sleeping. (No warm-up
    // bind: even a port the system picks could be one another host is about to check.)
    const until = performance.now() + ${HEADS_UP_MS};
    while (Atomics.load(a, ${BELL}) === bell && performance.now() < until) {}
    bell = Atomics.load(a, ${BELL});
  }
  claimAll(tagOf(bell));
  setImmediate(nextRound);
}
nextRound();
`;

interface Helper {
  worker: Worker;
  shared: Int32Array;
}

let helper: Helper | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let starting = false;
let stalls = 0;
/** Set when worker threads are unavailable or the helper kept stalling: from then on, one thread. */
let disabled = false;
let sharing = true;

/**
 * The running helper, or undefined while there is none. Asking for it starts one after the
 * current tick (creating a thread costs this thread up to 2 ms, more than it saves on one check),
 * so a process's first large check runs here alone and the ones after it, such as every heal
 * pass of a large stack, are shared.
 */
function helperThread(): Helper | undefined {
  if (helper) {
    idleTimer?.refresh();
    return helper;
  }
  if (!disabled && !starting) {
    starting = true;
    setImmediate(() => {
      starting = false;
      startHelper();
    }).unref();
  }
  return undefined;
}

/** Starts the helper now; true when it runs (tests start it ahead rather than after a first check). */
export function startHelper(options: { stallMs?: number } = {}): boolean {
  if (helper || disabled) return !!helper;
  try {
    const shared = new Int32Array(new SharedArrayBuffer(4 * (RESULTS + CAPACITY)));
    shared[NEXT] = PARKED;
    // Plain JS needs neither the parent's flags (a loader such as tsx, an inspector) nor the
    // preloads NODE_OPTIONS would add, in a thread whose heap is kept small.
    const { NODE_OPTIONS: _preloads, ...env } = process.env;
    const worker = new Worker(HELPER_SOURCE, {
      eval: true, execArgv: [], env, workerData: { buffer: shared.buffer, stallMs: options.stallMs ?? 0 },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref(); // never keeps a CLI or a test process alive
    worker.on('error', () => {
      if (helper?.worker === worker) stopHelper(true);
    });
    worker.on('exit', () => { if (helper?.worker === worker) helper = undefined; });
    helper = { worker, shared };
  } catch {
    disabled = true;
    return false;
  }
  idleTimer = setTimeout(() => stopHelper(false), IDLE_MS);
  idleTimer.unref();
  return true;
}

/**
 * Stops the helper and retires its shared memory (a new helper gets its own); with `disable`, no
 * helper is started again in this process.
 */
export function stopHelper(disable = false): void {
  if (disable) disabled = true;
  clearTimeout(idleTimer);
  idleTimer = undefined;
  const worker = helper?.worker;
  helper = undefined;
  void worker?.terminate().catch(() => undefined);
}

/** Off: every check runs on this thread alone (a running helper is kept). The bench compares both. */
export function shareBinds(on: boolean): void {
  sharing = on;
}

/** Checks shared with the helper since the process started: how many, and how many ports it answered. */
export const sharedTotals = { rounds: 0, ports: 0, byHelper: 0, stalls: 0 };

export type CheckNow = (port: number) => boolean | Promise<boolean>;

export interface BindManyOptions {
  /** Tests: this thread claims no port itself, so every answer comes from the helper (when it is up). */
  helperOnly?: boolean;
}

export interface BindManyResult {
  /** Per port, in order: true free, false busy, or a promise while a busy port's bind settles. */
  answers: Array<boolean | Promise<boolean>>;
  /** How many ports the helper answered (0 when it was not up yet or not used). */
  byHelper: number;
}

/**
 * Checks every port with `freeNow` (this thread's bind, answered at once when it can be), sharing
 * the work with the helper thread when there are at least PARALLEL_MIN ports. Synchronous: a round
 * begins and ends within this call, so rounds never overlap.
 */
export function bindMany(ports: readonly number[], freeNow: CheckNow, options: BindManyOptions = {}): BindManyResult {
  const h = sharing && (ports.length >= PARALLEL_MIN || options.helperOnly) ? helperThread() : undefined;
  const inRound = h ? ports.slice(0, CAPACITY) : [];
  let result: BindManyResult = { answers: [], byHelper: 0 };
  if (h) {
    try {
      result = oneRound(h, inRound, freeNow, options.helperOnly === true);
    } catch (error) {
      stopHelper(false); // a round left half done: its memory is not used again
      throw error;
    }
    sharedTotals.rounds++;
    sharedTotals.ports += inRound.length;
    sharedTotals.byHelper += result.byHelper;
  }
  // Beyond one round's capacity (no real stack is that large), this thread checks the rest alone.
  for (let i = result.answers.length; i < ports.length; i++) result.answers.push(freeNow(ports[i]));
  return result;
}

/**
 * A heads-up that about `count` ports will be checked shortly (an engine about to allocate a
 * large stack): the helper wakes now and waits awake for them, so its wake-up (tens of µs on an
 * idle virtual CPU) and its first, cold bind overlap this thread's own preparations.
 */
export function expectBinds(count: number): void {
  if (!sharing || count < PARALLEL_MIN || !helper) return;
  const { shared } = helper;
  if (Atomics.load(shared, BELL) >= TAGS - 2) return; // the next round replaces this helper
  Atomics.store(shared, NEXT, PARKED);
  Atomics.store(shared, COUNT, 0);
  Atomics.add(shared, BELL, 1);
  Atomics.notify(shared, BELL);
}

function oneRound({ shared }: Helper, ports: readonly number[], freeNow: CheckNow, helperOnly: boolean): BindManyResult {
  const n = ports.length;
  // Laid out while parked; NEXT is opened under the new round's tag before the doorbell moves,
  // so a helper that sees the new round finds it open.
  Atomics.store(shared, NEXT, PARKED);
  shared.set(ports, PORTS);
  shared.fill(PENDING, RESULTS, RESULTS + n);
  Atomics.store(shared, COUNT, n);
  const bell = Atomics.load(shared, BELL) + 1;
  if (bell >= TAGS - 1) {
    // Before the tags come round again (half a million rounds), a new helper with new memory:
    // a claim that slept through a whole cycle must never match a later round.
    stopHelper(false);
    return { answers: ports.map(freeNow), byHelper: 0 };
  }
  const tag = tagOf(bell);
  Atomics.store(shared, NEXT, tag * INDEX_SPAN);
  Atomics.store(shared, BELL, bell);
  Atomics.notify(shared, BELL);

  const answers: Array<boolean | Promise<boolean>> = new Array(n);
  const mine = new Uint8Array(n);
  if (!helperOnly) {
    for (let i = claim(shared, tag, n); i >= 0; i = claim(shared, tag, n)) {
      mine[i] = 1;
      answers[i] = freeNow(ports[i]);
    }
  }
  let byHelper = 0;
  let gone = false;
  for (let i = 0; i < n; i++) {
    if (mine[i]) continue;
    // Claimed by the helper (its answer is here or a bind away), or, with helperOnly, maybe not
    // claimed yet while the helper starts.
    let answer = Atomics.load(shared, RESULTS + i);
    if (answer >> 2 !== tag) answer = gone ? PENDING : awaitAnswer(shared, RESULTS + i, tag, helperOnly && byHelper === 0 ? START_WAIT_MS : CLAIMED_WAIT_MS);
    if (answer === PENDING && !gone) {
      // The helper stalled with this port claimed, or never started: close the round, check
      // everything left here, and retire the helper. Its socket may still hold this port for a
      // moment (the helper checks the round is open before it binds, but may be inside the bind,
      // even after this call returns): that can make the port look busy to someone, never free.
      gone = true;
      Atomics.store(shared, NEXT, PARKED);
      sharedTotals.stalls++;
      stopHelper(++stalls >= MAX_STALLS);
      answer = Atomics.load(shared, RESULTS + i);
      if (answer >> 2 !== tag) answer = PENDING;
    }
    if ((answer & 3) === FREE) {
      answers[i] = true;
      byHelper++;
    } else answers[i] = freeNow(ports[i]);
  }
  Atomics.store(shared, NEXT, PARKED);
  return { answers, byHelper };
}

/** The next unclaimed index of round `tag`, claimed for this thread; -1 once none is left. */
function claim(shared: Int32Array, tag: number, n: number): number {
  for (;;) {
    const cur = Atomics.load(shared, NEXT);
    if (cur < 0 || Math.floor(cur / INDEX_SPAN) !== tag) return -1;
    const i = cur % INDEX_SPAN;
    if (i >= n) return -1;
    if (Atomics.compareExchange(shared, NEXT, cur, cur + 1) === cur) return i;
  }
}

/**
 * The answer of round `tag` at `at`, or PENDING after `timeoutMs`. The bind it waits for is a few
 * µs away, so this thread spins first: sleeping in Atomics.wait lets the CPU idle, and waking an
 * idle CPU costs a virtual machine far more than the bind.
 */
function awaitAnswer(shared: Int32Array, at: number, tag: number, timeoutMs: number): number {
  const start = performance.now();
  for (;;) {
    const value = Atomics.load(shared, at);
    if (value >> 2 === tag) return value;
    const waited = performance.now() - start;
    if (waited >= timeoutMs) return PENDING;
    if (waited >= SPIN_MS) Atomics.wait(shared, at, value, timeoutMs - waited);
  }
}
