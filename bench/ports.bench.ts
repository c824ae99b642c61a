// Port allocation, side by side with get-port, portfinder and detect-port doing the same work:
// (a) a preferred list of 3 whose first is busy (information, not a target: Manito also names the
// holder; the first naming of a port reads the kernel's TCP tables, reported apart), (c) the
// default stack of six (what a user's start allocates), in several rounds, (d) two processes asking
// at the same moment: how often they are handed the same port. Contenders run interleaved, one of
// each per iteration, so machine noise hits them alike; the load average is printed because this
// machine is shared.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_STACK, type StackConfig } from '../protocol/config';
import { PortEngine } from '../server/engine/portEngine';
import { bindsEverywhere } from '../server/engine/portProbe';
import { readTcpTables } from '../server/proc/tcpTable';

type GetPortModule = typeof import('get-port', { with: { 'resolution-mode': 'import' } });
type Contender = { run(): Promise<unknown>; reset?(): Promise<void> | void };
interface Libs {
  getPort: GetPortModule['default'];
  clearLockedPorts: GetPortModule['clearLockedPorts'];
  portfinder: typeof import('portfinder');
  detectPort: (port: number) => Promise<number>;
}

async function loadLibs(): Promise<Libs> {
  const gp = await import('get-port');
  const portfinder = await import('portfinder');
  const dp = await import('detect-port');
  return { getPort: gp.default, clearLockedPorts: gp.clearLockedPorts, portfinder, detectPort: dp.detectPort };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function freeRange(span: number): Promise<number> {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * (40000 - span));
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await bindsEverywhere(p);
    if (ok) return base;
  }
}

/**
 * A fresh engine per iteration, built from the config in the untimed reset (a host builds it once
 * per config load, and the peers are handed their inputs too); the timed part is the allocation.
 * What the build costs, in the same interleaved iterations, is kept in `setUp` and printed apart.
 * Its leases are released untimed, like get-port's lock clearing.
 */
function manito(stack: StackConfig, setUp: number[] = []): Contender {
  let current: PortEngine | undefined;
  return {
    async reset() {
      await current?.dispose();
      const t = performance.now();
      current = new PortEngine({ stack, workspace: '/bench' });
      setUp.push(performance.now() - t);
    },
    async run() { await current!.allocateAll(); },
  };
}

async function measure(iterations: number, warmup: number, contenders: Record<string, Contender>): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < warmup + iterations; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const c = contenders[name];
      await c.reset?.();
      const t = performance.now();
      await c.run();
      if (i >= warmup) samples[name].push(performance.now() - t);
      await c.reset?.(); // release at once: a contender's ports must not be held while the next one runs
    }
  }
  for (const c of Object.values(contenders)) await c.reset?.();
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** The peers' way of giving a stack distinct ports: one call per service, excluding what was given. */
async function peerStack(ask: (preferred: number[], given: Set<number>) => Promise<number>, stack: StackConfig): Promise<void> {
  const given = new Set<number>();
  for (const s of Object.values(stack.services)) if (!s.inheritFrom) given.add(await ask(s.preferred ?? [8000], given));
}

async function upwardUntilNew(find: (from: number) => Promise<number>, from: number, given: Set<number>): Promise<number> {
  let port = await find(from);
  while (given.has(port)) port = await find(port + 1);
  return port;
}

async function main(): Promise<void> {
  process.env.MANITO_STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-bench-'));
  const libs = await loadLibs();
  const { getPort, clearLockedPorts, portfinder, detectPort } = libs;
  const rows: Array<[string, Record<string, number>]> = [];

  // (a) preferred list of three, the first held by a real listener
  const A = await freeRange(3);
  const busy = net.createServer().listen(A, '127.0.0.1');
  await new Promise((r) => busy.once('listening', r));
  rows.push(['(a) preferred [3], first busy', await measure(300, 30, {
    manito: manito({ services: { web: { preferred: [A, A + 1, A + 2] } } }),
    'get-port': { reset: clearLockedPorts, run: () => getPort({ port: [A, A + 1, A + 2] }) },
    portfinder: { run: () => portfinder.getPortPromise({ port: A }) },
    'detect-port': { run: () => detectPort(A) },
  })]);
  busy.close();

  // What naming a holder costs the first time a port is found busy: one read of the TCP tables
  // (the kernel walks its whole socket hash). Later lookups of the port confirm the socket by one
  // readlink, as (a) measures from its second iteration on.
  const tables: number[] = [];
  for (let i = 0; i < 21; i++) { const t = performance.now(); readTcpTables(); tables.push(performance.now() - t); }

  // (c) the default stack of six, in rounds
  const ROUNDS_C = 3;
  const setUp: number[] = [];
  for (let round = 1; round <= ROUNDS_C; round++) {
    rows.push([`(c) default stack of six, ${round}/${ROUNDS_C}`, await measure(200, 20, {
      manito: manito(DEFAULT_STACK, setUp),
      'get-port': { reset: clearLockedPorts, run: () => peerStack((preferred, given) => getPort({ port: preferred, exclude: given }), DEFAULT_STACK) },
      portfinder: { run: () => peerStack((preferred, given) => upwardUntilNew((p) => portfinder.getPortPromise({ port: p }), preferred[0], given), DEFAULT_STACK) },
      'detect-port': { run: () => peerStack((preferred, given) => upwardUntilNew(detectPort, preferred[0], given), DEFAULT_STACK) },
    })]);
  }

  const peers = ['get-port', 'portfinder', 'detect-port'];
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  console.log('median ms per task (ratio = peer / manito; > 1 means manito is faster)');
  console.log(['task'.padEnd(34), 'manito'.padStart(9), ...peers.map((p) => `${p} (ratio)`.padStart(22))].join(''));
  for (const [task, m] of rows) {
    console.log([task.padEnd(34), m.manito.toFixed(3).padStart(9), ...peers.map((p) => `${m[p].toFixed(3)} (${(m[p] / m.manito).toFixed(1)}x)`.padStart(22))].join(''));
  }

  // (d) two processes asking for a port; neither has bound it yet when the other asks (the real
  // race: a tool hands out a port, and the service binds it a moment later). Back to back: the
  // second asks as soon as the first has its answer. At once: both ask at the same instant.
  const D = await freeRange(3);
  const ROUNDS = 50;
  const workers = await Promise.all([startWorker(), startWorker()]);
  const modes = { 'back to back': true, 'at once': false } as const;
  const dupes: Record<string, Record<string, number>> = {};
  for (const [mode, sequential] of Object.entries(modes)) {
    dupes[mode] = {};
    for (const lib of ['manito', ...peers]) {
      dupes[mode][lib] = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const ask = (w: Worker, at: number) => w.ask({ type: 'ask', lib, at, ports: [D, D + 1, D + 2] });
        const answers = sequential
          ? [await ask(workers[0], 0), await ask(workers[1], 0)]
          : await Promise.all(workers.map((w) => ask(w, Date.now() + 40)));
        if (answers[0] === answers[1]) dupes[mode][lib]++;
        await Promise.all(workers.map((w) => w.ask({ type: 'release' })));
      }
    }
  }
  for (const w of workers) w.child.kill();
  console.log(`\n(d) two processes asking before either binds, ${ROUNDS} rounds each: identical answers`);
  for (const mode of Object.keys(modes)) {
    console.log(`${mode.padEnd(14)}${['manito', ...peers].map((lib) => `${lib}: ${dupes[mode][lib]}/${ROUNDS}`).join('   ')}`);
  }

  const [a, ...cs] = rows.map(([, m]) => m);
  // (a) is information, not a target: Manito's figure is one shared-lock transaction and lease
  // write (what keeps (d) at zero) plus naming the holder, which no peer does; under a millisecond
  // once per start, which no user waits for.
  console.log(`\n(a) manito ${a.manito.toFixed(3)} ms includes the lock, the lease write and naming the holder (${(a['get-port'] / a.manito).toFixed(2)}x get-port, which does none of these)`);
  console.log(`    the first naming of a busy port reads /proc/net/tcp{,6}: ${median(tables).toFixed(3)} ms, once per contested port; later ones one readlink`);
  const ratios = cs.map((c) => c['get-port'] / c.manito);
  const counted = cs.map((c) => c['get-port'] / (c.manito + median(setUp)));
  console.log(`(c) manito's engine set-up from the config (validation, model), untimed in (c): median ${median(setUp).toFixed(3)} ms, once per config load; counted in, (c) would be ${median(counted).toFixed(2)}x get-port`);
  const check = (ok: boolean, text: string) => console.log(`${ok ? 'PASS' : 'MISS'}  ${text}`);
  console.log('\ntargets');
  check(median(ratios) >= 1, `(c) at least as fast as get-port, median of ${ratios.length} rounds: ${median(ratios).toFixed(2)}x (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
  const b2b = dupes['back to back'];
  const together = dupes['at once'];
  check(b2b.manito === 0 && together.manito === 0, `(d) zero duplicates for manito (${b2b.manito} back to back, ${together.manito} at once); peers back to back: ${peers.map((p) => b2b[p]).join(', ')}`);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
}

interface Worker { child: ChildProcess; ask(m: unknown): Promise<number | null> }

function startWorker(): Promise<Worker> {
  // The same node flags as this process: --import tsx when run from source, none when bundled.
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env });
  let pending: ((v: number | null) => void) | undefined;
  child.on('message', (m: { port: number | null }) => { const p = pending; pending = undefined; p?.(m.port); });
  const ask = (m: unknown) => new Promise<number | null>((resolve) => { pending = resolve; child.send(m as object); });
  return ask({ type: 'ping' }).then(() => ({ child, ask }));
}

/** One side of (d): answers each "ask" at the agreed moment; a Manito engine keeps its lease until "release". */
async function worker(): Promise<void> {
  const libs = await loadLibs();
  let engine: PortEngine | undefined;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: { type: string; lib: string; at: number; ports: number[] }) => void (async () => {
    if (m.type === 'ping') {
      process.send!({ port: null });
      return;
    }
    if (m.type === 'release') {
      await engine?.dispose();
      engine = undefined;
      libs.clearLockedPorts(); // each round stands for two freshly started processes
      process.send!({ port: null });
      return;
    }
    while (Date.now() < m.at) { /* spin to the agreed moment */ }
    let port: number;
    if (m.lib === 'manito') {
      engine = new PortEngine({ stack: { services: { web: { preferred: m.ports } } }, workspace: `/bench/${process.pid}` });
      await engine.allocateAll();
      port = engine.get('web')!.port;
    } else if (m.lib === 'get-port') port = await libs.getPort({ port: m.ports });
    else if (m.lib === 'portfinder') port = await libs.portfinder.getPortPromise({ port: m.ports[0] });
    else port = await libs.detectPort(m.ports[0]);
    process.send!({ port });
  })());
}

(process.argv.includes('--worker') ? worker() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
