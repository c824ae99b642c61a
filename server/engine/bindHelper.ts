// A second thread for checking many ports at once. Each check is a real bind, and a bind is mostly
// kernel time (a socket to create, bind, listen and close: about 10 µs here), so a stack of fifty
// services spends most of its allocation, and of every heal pass, in binds one after another.
// With a helper thread the two threads bind different ports at the same time.
//
// Both threads take ports from one shared counter, so neither ever waits for work the other has
// not started: a helper that is slow to wake, busy, or gone only means this thread binds more of
// the ports itself. The helper answers only what it can answer at once (a free port); a port it
// could not bind is checked again here, where the full bind (with its error events) runs.
import { Worker } from 'node:worker_threads';

/** Below this many ports, waking the helper costs more than it saves (measured: break-even near 12). */
export const PARALLEL_MIN = 16;
/** The helper stops after this long unused, so a host that allocated once does not keep a thread. */
const IDLE_MS = 60_000;
/** How long to wait for a port the helper has started on; it is one bind, so this only trips if the helper hangs. */
const CLAIMED_WAIT_MS = 50;
/** How long the helper stays awake after a heads-up, waiting for the ports (expectBinds). */
const HEADS_UP_MS = 2;
/** How long to spin for a claimed port's answer before sleeping on it (see awaitAnswer). */
const SPIN_MS = 0.2;
/** helperOnly (tests): how long the helper may take to start. */
const START_WAIT_MS = 5_000;

const PENDING = 0;
const FREE = 1;
const RECHECK = 2;

/**
 * The shared memory, one Int32Array for the helper's life: the doorbell (a round counter), the
 * next unclaimed index, the port count, then CAPACITY ports and CAPACITY results. A round never
 * overlaps another (bindMany returns only when every claimed port is answered), so one buffer
 * serves them all; a larger check runs as several rounds.
 */
const BELL = 0;
const NEXT = 1;
const COUNT = 2;
const PORTS = 3;
const CAPACITY = 1024;
const RESULTS = PORTS + CAPACITY;

/**
 * The helper's code, evaluated as its own small script (the host bundle is large, and a thread
 * that boots it would cost more than it saves). Between rounds it sleeps in Atomics.wait on the
 * doorbell: waking it costs this thread a store and a notify, where a postMessage costs ~20 µs.
 * Its bind mirrors portProbe's bindDualStackNow: listen() with no host binds the dual-stack
 * wildcard synchronously, and `listening` is then true for a free port.
 */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const a = new Int32Array(workerData);
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
  // Busy: the error comes on a later tick, which never runs here; the socket is closed already.
  server.once('error', () => {});
  return false;
}
function claimAll() {
  for (;;) {
    const i = Atomics.add(a, ${NEXT}, 1);
    if (i >= Atomics.load(a, ${COUNT})) return;
    Atomics.store(a, ${RESULTS} + i, freeNow(a[${PORTS} + i]) ? ${FREE} : ${RECHECK});
    Atomics.notify(a, ${RESULTS} + i);
  }
}
let round = 0;
// One round per turn of the event loop: the turn in between runs the closed sockets' callbacks
// and the busy ports' error ticks, which would otherwise pile up for the thread's whole life.
function nextRound() {
  Atomics.wait(a, ${BELL}, round);
  round = Atomics.load(a, ${BELL});
  if (Atomics.load(a, ${COUNT}) === 0) {
    // A heads-up (expectBinds): ports are coming. One throwaway bind of a port the system picks
    // warms this thread's code and caches; then it watches the doorbell without sleeping.
    freeNow(0);
    const until = performance.now() + ${HEADS_UP_MS};
    while (Atomics.load(a, ${BELL}) === round && performance.now() < until) {}
    round = Atomics.load(a, ${BELL});
  }
  claimAll();
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
/** Set when worker threads are unavailable or the helper misbehaved: from then on, one thread. */
let disabled = false;

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
export function startHelper(): boolean {
  if (helper || disabled) return !!helper;
  try {
    const shared = new Int32Array(new SharedArrayBuffer(4 * (RESULTS + CAPACITY)));
    shared[NEXT] = CAPACITY; // nothing to claim until the first round
    // No execArgv: the parent's (a loader such as tsx, an inspector flag) is not needed by plain JS.
    const worker = new Worker(HELPER_SOURCE, { eval: true, execArgv: [], workerData: shared.buffer, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } });
    worker.unref(); // never keeps a CLI or a test process alive
    worker.on('error', () => stopHelper(true));
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

/** Stops the helper; with `disable`, for good (it failed), otherwise the next large check starts a new one. */
export function stopHelper(disable = false): void {
  if (disable) disabled = true;
  clearTimeout(idleTimer);
  idleTimer = undefined;
  const worker = helper?.worker;
  helper = undefined;
  void worker?.terminate().catch(() => undefined);
}

let sharing = true;
/** A round is laid out in the shared buffer and not yet finished. */
let roundOpen = false;
/** Off: every check runs on this thread alone (a running helper is kept). The bench compares both. */
export function shareBinds(on: boolean): void {
  sharing = on;
}

/** Checks shared with the helper since the process started: how many, and how many ports it answered. */
export const sharedTotals = { rounds: 0, ports: 0, byHelper: 0 };

export interface BindManyOptions {
  /** Tests: this thread claims no port itself, so every answer comes from the helper (when it is up). */
  helperOnly?: boolean;
}

export interface BindManyResult {
  /** Per port, in order: true free, false busy, undefined skipped, or a promise while a busy port's bind settles. */
  answers: Array<boolean | Promise<boolean> | undefined>;
  /** How many ports the helper answered (0 when it was not up yet or not used). */
  byHelper: number;
}

export type CheckNow = (port: number) => boolean | Promise<boolean>;

/**
 * Starts checking `ports`: the helper thread (when there are at least PARALLEL_MIN of them and it
 * is up) begins at once, so this thread can do other work first, such as taking the registry lock.
 * `finish` must be called, exactly as a `finally` would: it checks here every port the helper has
 * not taken (but the ones `skip` names), waits for the ones it has, and ends the round; a round
 * left open would let the helper write into the next one.
 */
export function startBinds(ports: readonly number[], freeNow: CheckNow, options: BindManyOptions = {}): { finish(skip?: (port: number) => boolean): BindManyResult } {
  // One round at a time: a second check started while one is open (another engine of this
  // process, while the first waits for the registry lock) runs here alone.
  const h = sharing && !roundOpen && (ports.length >= PARALLEL_MIN || options.helperOnly) ? helperThread() : undefined;
  const inRound = h ? ports.slice(0, CAPACITY) : [];
  if (h) ring(h, inRound);
  let result: BindManyResult | undefined;
  return {
    finish(skip = () => false) {
      if (result) return result;
      const check = (port: number) => (skip(port) ? undefined : freeNow(port));
      try {
        result = h ? collect(h, inRound, check, options.helperOnly === true) : { answers: [], byHelper: 0 };
      } finally {
        if (h) roundOpen = false;
      }
      if (h) {
        sharedTotals.rounds++;
        sharedTotals.ports += inRound.length;
        sharedTotals.byHelper += result.byHelper;
      }
      // Beyond one round's capacity (no real stack is that large), this thread checks the rest alone.
      for (let i = result.answers.length; i < ports.length; i++) result.answers.push(check(ports[i]));
      return result;
    },
  };
}

/** startBinds and finish at once. */
export function bindMany(ports: readonly number[], freeNow: CheckNow, options: BindManyOptions = {}): BindManyResult {
  return startBinds(ports, freeNow, options).finish();
}

/**
 * A heads-up that about `count` ports will be checked shortly (an engine about to allocate a
 * large stack): the helper wakes now and waits awake for them, so its wake-up (tens of µs on an
 * idle virtual CPU) and its first, cold bind overlap this thread's own preparations.
 */
export function expectBinds(count: number): void {
  if (!sharing || roundOpen || count < PARALLEL_MIN || !helper) return;
  const { shared } = helper;
  Atomics.store(shared, NEXT, CAPACITY);
  Atomics.store(shared, COUNT, 0);
  Atomics.add(shared, BELL, 1);
  Atomics.notify(shared, BELL);
}

/** Lays out a round and wakes the helper. */
function ring({ shared }: Helper, ports: readonly number[]): void {
  roundOpen = true;
  // NEXT stays at CAPACITY (nothing to claim) while the round is laid out: a helper still leaving
  // the previous round must not claim a port of this one before it is written.
  Atomics.store(shared, NEXT, CAPACITY);
  shared.set(ports, PORTS);
  shared.fill(PENDING, RESULTS, RESULTS + ports.length);
  Atomics.store(shared, COUNT, ports.length);
  Atomics.store(shared, NEXT, 0);
  Atomics.add(shared, BELL, 1);
  Atomics.notify(shared, BELL);
}

/** Claims and checks ports here until none is left, then gathers the helper's answers. */
function collect({ shared }: Helper, ports: readonly number[], check: (port: number) => boolean | Promise<boolean> | undefined, helperOnly: boolean): BindManyResult {
  const n = ports.length;
  const answers: Array<boolean | Promise<boolean> | undefined> = new Array(n);
  const mine = new Uint8Array(n);
  if (!helperOnly) {
    for (;;) {
      const i = Atomics.add(shared, NEXT, 1);
      if (i >= n) break;
      mine[i] = 1;
      answers[i] = check(ports[i]);
    }
  }
  let byHelper = 0;
  let gone = false;
  for (let i = 0; i < n; i++) {
    if (mine[i]) continue;
    const at = RESULTS + i;
    // Claimed by the helper: answered already, or its bind is under way (a few µs). helperOnly
    // first waits for the helper to start at all, which takes a few ms the first time.
    let result = Atomics.load(shared, at);
    if (result === PENDING && !gone) {
      result = awaitAnswer(shared, at, helperOnly && byHelper === 0 ? START_WAIT_MS : CLAIMED_WAIT_MS);
      if (result === PENDING) {
        // The helper hung with this port claimed, or never started: take every port it has not
        // started, check the rest here, and stop using it. Its socket may still hold this port
        // for a moment, which can only make the port look busy, never free.
        gone = true;
        Atomics.store(shared, NEXT, CAPACITY);
        stopHelper(true);
      }
    }
    if (result === FREE) {
      answers[i] = true;
      byHelper++;
    } else answers[i] = check(ports[i]);
  }
  return { answers, byHelper };
}

/**
 * The helper's answer for a port it has started on. It is one bind, a few µs away, so this thread
 * spins for it first: sleeping in Atomics.wait would let this CPU idle, and waking an idle CPU
 * costs a virtual machine far more than the bind. Past SPIN_MS it sleeps until `timeoutMs`.
 */
function awaitAnswer(shared: Int32Array, at: number, timeoutMs: number): number {
  const spinUntil = performance.now() + SPIN_MS;
  let result = Atomics.load(shared, at);
  while (result === PENDING && performance.now() < spinUntil) result = Atomics.load(shared, at);
  if (result !== PENDING) return result;
  Atomics.wait(shared, at, PENDING, timeoutMs);
  return Atomics.load(shared, at);
}
