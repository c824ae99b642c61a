// Host figures, side by side in one run: listening-port scan (/proc vs connect probes vs `ss`),
// /api/ports throughput through every guard vs a bare node:http server with the same body,
// WebSocket fan-out of one event to 100 subscribers, host start to first answer, host memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { listeningPorts } from '../server/proc/tcpTable';

const ROOT = path.resolve(__dirname, '..');
const HOST_JS = path.join(ROOT, 'dist', 'host.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 2) => n.toFixed(d);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function workspace(hostPort: number, servicePorts: number[]) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-bench-'));
  const dir = path.join(base, 'ws');
  fs.mkdirSync(dir);
  const config = (environment: string) => JSON.stringify({
    environment, host: { ports: [hostPort] },
    services: {
      server: { preferred: [servicePorts[0]], kind: 'http' },
      client: { preferred: [servicePorts[1]], kind: 'vite' },
      websocket: { inheritFrom: 'server', kind: 'websocket' },
    },
  });
  fs.writeFileSync(path.join(dir, 'manito.json'), config('development'));
  return { base, dir, env: { ...process.env, MANITO_STATE_DIR: path.join(base, 'state') }, config };
}

function spawnHost(dir: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [HOST_JS, '--headless', dir], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function get(agent: http.Agent, port: number, pathName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathName, agent, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
}

async function untilAnswers(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const agent = new http.Agent({ keepAlive: false });
  while (Date.now() < deadline) {
    try {
      if ((await get(agent, port, '/api/health')) === 200) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no answer on ${port}`);
}

/** N requests over `concurrency` keep-alive sockets; returns requests per second. */
async function load(port: number, pathName: string, n: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      next++;
      const status = await get(agent, port, pathName);
      if (status !== 200) throw new Error(`status ${status}`);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return n / seconds;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function scanBench(): Promise<void> {
  const rounds = 7;
  const table: number[] = [];
  const probe: number[] = [];
  const ss: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const ports = [...listeningPorts()];
    table.push(performance.now() - t);
    count = ports.length;
    t = performance.now();
    await Promise.all(ports.map((port) => new Promise<void>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      const done = () => { s.destroy(); resolve(); };
      s.once('connect', done);
      s.once('error', done);
      s.setTimeout(500, done);
    })));
    probe.push(performance.now() - t);
    t = performance.now();
    spawnSync('ss', ['-ltnH']);
    ss.push(performance.now() - t);
  }
  const vs = (xs: number[]) => `${fmt(median(xs) / median(table), 1)}x manito`;
  console.log(`listening-port scan (${count} ports, median of ${rounds}):`);
  console.log(`  manito listeningPorts()    ${fmt(median(table), 3)} ms  (reads /proc/net/tcp{,6})`);
  console.log(`  connect-probe same ports   ${fmt(median(probe))} ms  (${vs(probe)})`);
  console.log(`  spawn ss -ltn              ${fmt(median(ss))} ms  (${vs(ss)})`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(HOST_JS)) throw new Error('dist/host.js missing: run `node esbuild.mjs` first');
  await scanBench();

  // Host start to first answer.
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ws = workspace(await freePort(), [await freePort(), await freePort()]);
    const hostPort = JSON.parse(fs.readFileSync(path.join(ws.dir, 'manito.json'), 'utf8')).host.ports[0];
    const t = performance.now();
    const child = spawnHost(ws.dir, ws.env);
    await untilAnswers(hostPort);
    starts.push(performance.now() - t);
    await stop(child);
    fs.rmSync(ws.base, { recursive: true, force: true });
  }
  console.log(`host start to first /api/health answer: median ${fmt(median(starts), 0)} ms (of 5)`);

  const hostPort = await freePort();
  const ws = workspace(hostPort, [await freePort(), await freePort()]);
  const host = spawnHost(ws.dir, ws.env);
  await untilAnswers(hostPort);
  await new Promise((r) => setTimeout(r, 300));
  const rssIdle = rssMb(host.pid!);

  // The same body from a bare server in its own process, so both sides pay the same IPC costs.
  const body = await (await fetch(`http://127.0.0.1:${hostPort}/api/ports`)).text();
  const barePort = await freePort();
  const bare = spawn(process.execPath, ['-e', `require('http').createServer((q,r)=>{r.writeHead(200,{'content-type':'application/json; charset=utf-8','content-length':Buffer.byteLength(process.env.BODY)});r.end(process.env.BODY)}).listen(${barePort},'127.0.0.1')`],
    { env: { ...process.env, BODY: body }, stdio: 'ignore' });
  for (;;) {
    try { await get(new http.Agent(), barePort, '/'); break; } catch { await new Promise((r) => setTimeout(r, 10)); }
  }
  const N = 5_000;
  const C = 16;
  await load(hostPort, '/api/ports', 2000, C);
  await load(barePort, '/', 2000, C);
  // Alternating rounds, and the ratio taken per pair: the machine's background load shifts
  // between rounds, much less within one pair.
  const hostRps: number[] = [];
  const bareRps: number[] = [];
  const ratios: number[] = [];
  const ROUNDS = 9;
  for (let i = 0; i < ROUNDS; i++) {
    const h = await load(hostPort, '/api/ports', N, C);
    const b = await load(barePort, '/', N, C);
    hostRps.push(h);
    bareRps.push(b);
    ratios.push(h / b);
  }
  const rssLoaded = rssMb(host.pid!);
  console.log(`/api/ports throughput (${N} requests, ${C} keep-alive sockets, median of ${ROUNDS} alternating rounds):`);
  console.log(`  manito host (all guards)   ${fmt(median(hostRps), 0)} req/s`);
  console.log(`  bare node:http, same body  ${fmt(median(bareRps), 0)} req/s`);
  console.log(`  ratio, median of pairs     ${fmt(median(ratios))}x (target >= 0.80; pairs ${ratios.map((r) => fmt(r)).join(' ')})`);
  await stop(bare);

  // Fan-out: one event to 100 feed subscribers; latency from the host's event time to the last client.
  const clients: WebSocket[] = [];
  for (let i = 0; i < 100; i++) {
    const c = new WebSocket(`ws://127.0.0.1:${hostPort}/`);
    await new Promise((r) => c.once('message', r)); // hello
    clients.push(c);
  }
  const lastLatency: number[] = [];
  const spread: number[] = [];
  for (let round = 0; round < 7; round++) {
    const environment = `bench-${round}`;
    const arrivals = clients.map((c) => new Promise<{ at: number; time: number }>((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(String(data));
        if (msg.type === 'event' && msg.event.type === 'config') {
          c.off('message', onMessage);
          resolve({ at: Date.now(), time: Date.parse(msg.event.time) });
        }
      };
      c.on('message', onMessage);
    }));
    fs.writeFileSync(path.join(ws.dir, 'manito.json'), ws.config(environment));
    const got = await Promise.all(arrivals);
    const last = Math.max(...got.map((g) => g.at));
    lastLatency.push(last - got[0].time);
    spread.push(last - Math.min(...got.map((g) => g.at)));
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`WebSocket fan-out of one event to ${clients.length} clients (median of 7):`);
  console.log(`  host event to last client  ${fmt(median(lastLatency), 1)} ms`);
  console.log(`  first to last client       ${fmt(median(spread), 1)} ms`);
  const rssFeed = rssMb(host.pid!);
  for (const c of clients) c.terminate();
  console.log(`host RSS: ${fmt(rssIdle, 1)} MB idle, ${fmt(rssLoaded, 1)} MB after the throughput run, ${fmt(rssFeed, 1)} MB with 100 feed clients`);
  await stop(host);
  fs.rmSync(ws.base, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
