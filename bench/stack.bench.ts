// Stack-ready time, what a user waits for after typing one command: redis-server, then a node API
// (which PINGs redis before it listens), then Vite, each started once the previous one is up.
// Side by side, interleaved, in one run:
//   manito up                 manito.json with dependsOn; health decides when the next one starts
//   hand-written script       starts each in order and polls its port every 100 ms
//   concurrently + wait-on    `wait-on tcp:PORT && next` per service, as their READMEs show
// Ready = the bench itself sees Vite serve /@vite/client (polled every 5 ms, the same for all).
// Also: how long after a process Manito started dies the feed says it is unhealthy.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const ROUNDS = Number(process.env.MANITO_BENCH_ROUNDS ?? 9);
const GOAL = 1.15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const API_JS = `const net = require('net');
const redis = net.connect(+process.env.REDIS_PORT, '127.0.0.1', () => redis.write('PING\\r\\n'));
redis.once('data', (d) => {
  if (!String(d).startsWith('+PONG')) process.exit(1);
  require('http').createServer((q, s) => s.end('{"ok":true}')).listen(+process.env.PORT, '127.0.0.1');
});
redis.on('error', () => process.exit(1));
`;

/** The hand-written script the issue measures against: start, poll the port every 100 ms, next. */
const SCRIPT_MJS = `import { spawn } from 'node:child_process';
import * as net from 'node:net';
const [redisPort, apiPort, webPort] = process.argv.slice(2).map(Number);
const up = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
async function waitPort(port) { while (!(await up(port))) await new Promise((r) => setTimeout(r, 100)); }
const env = { ...process.env, REDIS_PORT: String(redisPort) };
spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await waitPort(redisPort);
spawn(process.execPath, ['api.js'], { stdio: 'ignore', env: { ...env, PORT: String(apiPort) } });
await waitPort(apiPort);
spawn(process.execPath, [${JSON.stringify(VITE)}, '--port', String(webPort), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore', env });
`;

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function viteAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let reply = '';
    s.once('connect', () => s.write(`GET /@vite/client HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    s.on('data', (d) => { reply += d; if (reply.includes('\r\n')) { s.destroy(); resolve(reply.startsWith('HTTP/1.1 200')); } });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function until(what: string, check: () => Promise<boolean>, everyMs: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

interface Stack { dir: string; env: NodeJS.ProcessEnv; redis: number; api: number; web: number; hostPort: number }

function makeStack(base: string, [redis, api, web, hostPort]: number[]): Stack {
  const dir = path.join(base, 'ws');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'api.js'), API_JS);
  fs.writeFileSync(path.join(dir, 'script.mjs'), SCRIPT_MJS);
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>bench</title><p>client</p>\n');
  fs.writeFileSync(path.join(dir, 'manito.json'), JSON.stringify({
    host: { ports: [hostPort] },
    services: {
      redis: { preferred: [redis], kind: 'redis', command: 'redis-server --port ${port} --save "" --appendonly no' },
      api: { preferred: [api], kind: 'http', command: 'node api.js', dependsOn: ['redis'], env: { REDIS_PORT: '${ports.redis}' } },
      web: { preferred: [web], kind: 'vite', command: `node ${JSON.stringify(VITE)} --port \${port} --strictPort --host 127.0.0.1`, dependsOn: ['api'] },
    },
  }, null, 2));
  const env = { ...process.env, MANITO_STATE_DIR: path.join(base, 'state'), NO_COLOR: '1' };
  return { dir, env, redis: redis!, api: api!, web: web!, hostPort: hostPort! };
}

type Contender = { name: string; start(s: Stack): ChildProcess; stop(child: ChildProcess): Promise<void> };

/** Whole process group: the contenders' children must not outlive the round. */
async function killGroup(child: ChildProcess): Promise<void> {
  try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
  await exited(child);
}

const contenders: Contender[] = [
  {
    name: 'manito up',
    start: (s) => spawn(process.execPath, [CLI, 'up', s.dir], { cwd: s.dir, env: s.env, stdio: 'ignore', detached: true }),
    // SIGTERM to up alone: it stops its stack itself, as Ctrl-C would.
    stop: async (child) => { child.kill('SIGTERM'); await exited(child); },
  },
  {
    name: 'hand-written script (100 ms port polls)',
    start: (s) => spawn(process.execPath, ['script.mjs', String(s.redis), String(s.api), String(s.web)], { cwd: s.dir, env: s.env, stdio: 'ignore', detached: true }),
    stop: killGroup,
  },
  {
    name: 'concurrently + wait-on',
    start: (s) => spawn(process.execPath, [path.join(ROOT, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js'), '-k', '--raw',
      `redis-server --port ${s.redis} --save '' --appendonly no`,
      `wait-on -i 100 tcp:127.0.0.1:${s.redis} && REDIS_PORT=${s.redis} PORT=${s.api} node api.js`,
      `wait-on -i 100 tcp:127.0.0.1:${s.api} && node ${JSON.stringify(VITE)} --port ${s.web} --strictPort --host 127.0.0.1`,
    ], { cwd: s.dir, env: { ...s.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${s.env.PATH}` }, stdio: 'ignore', detached: true }),
    stop: killGroup,
  },
];

async function ready(contender: Contender, s: Stack): Promise<{ ms: number; child: ChildProcess }> {
  const started = performance.now();
  const child = contender.start(s);
  let died = false;
  child.once('exit', () => { died = true; });
  await until(`${contender.name}: Vite on ${s.web}`, async () => {
    if (died) throw new Error(`${contender.name} exited before the stack was ready`);
    return viteAnswers(s.web);
  }, 5);
  return { ms: performance.now() - started, child };
}

/** After the stack is up under manito: SIGKILL the API, time until the feed says it is unhealthy. */
async function exitToUnhealthy(s: Stack): Promise<number> {
  const socket = new WebSocket(`ws://127.0.0.1:${s.hostPort}/`, { headers: { host: `127.0.0.1:${s.hostPort}` } });
  const hello = await new Promise<{ snapshot: { services: Array<{ name: string; pid: number | null }> } }>((resolve, reject) => {
    socket.once('message', (d) => resolve(JSON.parse(String(d))));
    socket.once('error', reject);
  });
  const pid = hello.snapshot.services.find((x) => x.name === 'api')?.pid;
  if (!pid) throw new Error('no pid for api in the feed hello');
  const seen = new Promise<number>((resolve) => socket.on('message', (d) => {
    const msg = JSON.parse(String(d));
    if (msg.type === 'event' && msg.event.type === 'health' && msg.event.service === 'api' && msg.event.to === 'unhealthy') resolve(performance.now());
  }));
  const killedAt = performance.now();
  process.kill(pid, 'SIGKILL');
  const at = await seen;
  socket.close();
  return at - killedAt;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run `node esbuild.mjs` first');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-stack-bench-'));
  const s = makeStack(base, await freePorts(4));
  const times = new Map(contenders.map((c) => [c.name, [] as number[]]));
  const unhealthyMs: number[] = [];
  try {
    // Round 0 warms Vite's dependency cache and the file cache; not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const order = round % 2 ? [...contenders].reverse() : contenders;
      for (const c of order) {
        const { ms, child } = await ready(c, s);
        if (round > 0) times.get(c.name)!.push(ms);
        if (round > 0 && c.name === 'manito up') unhealthyMs.push(await exitToUnhealthy(s));
        await c.stop(child);
        for (const port of [s.redis, s.api, s.web]) await until(`port ${port} free after ${c.name}`, () => portFree(port), 20);
      }
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  const script = median(times.get(contenders[1]!.name)!);
  console.log(`stack ready: redis-server -> node API -> Vite, each gated on the previous (median of ${ROUNDS} interleaved rounds):`);
  for (const [name, xs] of times) {
    const m = median(xs);
    console.log(`  ${name.padEnd(40)} ${m.toFixed(0).padStart(6)} ms  ${(m / script).toFixed(2)}x the script  (${xs.map((x) => x.toFixed(0)).join(' ')})`);
  }
  const manito = median(times.get('manito up')!);
  console.log(`  goal: manito up within ${GOAL}x of the script: ${manito / script <= GOAL ? 'met' : 'NOT met'} (${(manito / script).toFixed(2)}x)`);
  console.log(`a process manito started is killed -> the feed says unhealthy: median ${median(unhealthyMs).toFixed(1)} ms (goal < 200 ms; ${unhealthyMs.map((x) => x.toFixed(0)).join(' ')})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
