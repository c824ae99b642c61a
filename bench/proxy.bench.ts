// Proxy figures, side by side in one run: latency (p50, p99 over one keep-alive connection) and
// throughput (16 keep-alive connections), for a hello-world answer and a 20 KB one, of one small
// node:http server reached directly, through
// Manito's proxy by its name, and through portless (npm, plain HTTP, state in a temp folder, bound
// to 127.0.0.1 only) by its alias. Each server and proxy runs in its own process, as it would for
// a user; rounds alternate between them and the medians are quoted. Two reference rows
// (proxyReferences.ts) show the ceiling on this machine: a bare node byte pipe and HAProxy.
// Goal (issue 17): at most +0.3 ms p50 over direct, at least 0.7x direct throughput, not behind portless.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LeaseRegistry, newOwnerId, OWN_START_TIME } from '../server/engine/leaseRegistry';
import { ProxyRole } from '../server/proxy/proxyRole';
import { RouteSource } from '../server/proxy/routeSource';
import { CONNECTIONS, LATENCY_REQUESTS, THROUGHPUT_MS, latency, throughput } from './proxyLoad';
import { serveNodePipe, startHaproxy } from './proxyReferences';

const ROOT = path.resolve(__dirname, '..');
const PORTLESS_CLI = path.join(ROOT, 'node_modules', 'portless', 'dist', 'cli.js');
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 3) => n.toFixed(d);

// portless binds every interface; this preload makes every listen() without an address take 127.0.0.1.
const LOOPBACK_ONLY = `data:text/javascript,${encodeURIComponent(`import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) {
  if (typeof a[0] === 'number' && typeof a[1] !== 'string') a.splice(1, 0, '127.0.0.1');
  else if (a[0] && typeof a[0] === 'object' && !('path' in a[0]) && !a[0].host) a[0] = { ...a[0], host: '127.0.0.1' };
  return listen.apply(this, a);
};`)}`;

function child(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const match = ready.exec(out);
      if (match) resolve({ proc, match });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.removeAllListeners('exit');
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, headers: { host }, agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200); })
      .on('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-proxy-bench-'));
  const self = process.argv[1];
  const children: ChildProcess[] = [];
  try {
    const upstream = await child([self, 'upstream'], process.env, /listening (\d+)/);
    children.push(upstream.proc);
    const upstreamPort = Number(upstream.match[1]);

    // Manito: the user's registry leases `web` of workspace `bench` to the server's port.
    const leasesFile = path.join(base, 'state', 'leases.json');
    fs.mkdirSync(path.dirname(leasesFile), { recursive: true, mode: 0o700 });
    const workspace = path.join(base, 'bench');
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, 'manito.json'), JSON.stringify({ services: { web: { kind: 'vite' } } }));
    await new LeaseRegistry({ file: leasesFile }).transact((leases) => {
      leases.push({ port: upstreamPort, service: 'web', workspace, pid: process.pid, startTime: OWN_START_TIME, owner: newOwnerId(), since: new Date().toISOString() });
    });
    const manitoPort = await freePort();
    const manito = (await child([self, 'manito', leasesFile, String(manitoPort)], process.env, /serving/)).proc;
    children.push(manito);

    // portless: plain HTTP on a free port, state in the temp folder, no /etc/hosts sync, loopback only.
    const portlessPort = await freePort();
    const portlessEnv = { ...process.env, PORTLESS_STATE_DIR: path.join(base, 'portless'), PORTLESS_SYNC_HOSTS: '0', PORTLESS_LAN: '0', PORTLESS_HTTPS: '0', NO_COLOR: '1' };
    const portless = (await child(['--import', LOOPBACK_ONLY, PORTLESS_CLI, 'proxy', 'start', '--no-tls', '-p', String(portlessPort), '--foreground'], portlessEnv, /proxy listening on port/)).proc;
    children.push(portless);
    const alias = spawn(process.execPath, [PORTLESS_CLI, 'alias', 'bench', String(upstreamPort)], { env: portlessEnv, stdio: 'ignore' });
    await new Promise((resolve) => alias.once('exit', resolve));
    const deadline = Date.now() + 10_000;
    while (!(await answers(portlessPort, 'bench.localhost'))) {
      if (Date.now() > deadline) throw new Error('portless never routed bench.localhost');
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!(await answers(manitoPort, 'web.bench.localhost'))) throw new Error('Manito proxy does not route web.bench.localhost');

    const pipe = await child([self, 'pipe', String(upstreamPort)], process.env, /listening (\d+)/);
    children.push(pipe.proc);
    const haproxies: { name: string; port: number; pid: number }[] = [];
    for (const threads of [1, 2]) {
      const port = await freePort();
      const haproxy = startHaproxy(base, port, 'web.bench.localhost', upstreamPort, threads);
      if (!haproxy) break;
      children.push(haproxy);
      const haproxyDeadline = Date.now() + 10_000;
      while (!(await answers(port, 'web.bench.localhost'))) {
        if (haproxy.exitCode !== null || Date.now() > haproxyDeadline) throw new Error('haproxy never routed web.bench.localhost');
        await new Promise((r) => setTimeout(r, 50));
      }
      haproxies.push({ name: `haproxy ${threads} thr`, port, pid: haproxy.pid! });
    }

    const targets = [
      { name: 'direct', port: upstreamPort, host: `127.0.0.1:${upstreamPort}`, pid: upstream.proc.pid! },
      { name: 'manito proxy', port: manitoPort, host: `web.bench.localhost:${manitoPort}`, pid: manito.pid! },
      { name: 'portless 0.13', port: portlessPort, host: `bench.localhost:${portlessPort}`, pid: portless.pid! },
      { name: 'node byte pipe', port: Number(pipe.match[1]), host: `web.bench.localhost:${pipe.match[1]}`, pid: pipe.proc.pid! },
      ...haproxies.map((h) => ({ ...h, host: `web.bench.localhost:${h.port}` })),
    ];
    const sizes = [{ name: 'hello world', path: '/' }, { name: '20 KB', path: '/20k' }];
    for (const size of sizes) {
      const results = new Map(targets.map((t) => [t.name, { p50: [] as number[], p99: [] as number[], rps: [] as number[], cpuUs: [] as number[] }]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of round % 2 ? [...targets].reverse() : targets) {
          const r = results.get(t.name)!;
          const l = await latency(t.port, t.host, size.path);
          r.p50.push(l.p50);
          r.p99.push(l.p99);
          const tp = await throughput(t.port, t.host, size.path, t.pid);
          r.rps.push(tp.rps);
          r.cpuUs.push(tp.cpuUs);
        }
      }
      report(size.name, targets, results);
    }
  } finally {
    for (const c of children) await stop(c);
    fs.rmSync(base, { recursive: true, force: true });
  }
}

type Figures = Map<string, { p50: number[]; p99: number[]; rps: number[]; cpuUs: number[] }>;

function report(size: string, targets: ReadonlyArray<{ name: string }>, results: Figures): void {
  console.log(`\n${size}: latency (one connection, ${LATENCY_REQUESTS} requests) and throughput (${CONNECTIONS} connections, ${THROUGHPUT_MS / 1000} s), median of ${ROUNDS} rounds,`);
  console.log(`with the CPU time per request of the server (direct) or of the proxy process (the others). Load average now: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores.`);
  const direct = results.get('direct')!;
  for (const t of targets) {
    const r = results.get(t.name)!;
    const extra = t.name === 'direct' ? '' : `   +${fmt(median(r.p50) - median(direct.p50))} ms p50, ${fmt(median(r.rps) / median(direct.rps), 2)}x throughput`;
    console.log(`  ${t.name.padEnd(14)} p50 ${fmt(median(r.p50))} ms   p99 ${fmt(median(r.p99))} ms   ${Math.round(median(r.rps)).toString().padStart(6)} req/s   ${Math.round(median(r.cpuUs)).toString().padStart(4)} µs CPU/req${extra}`);
  }
  const m = results.get('manito proxy')!;
  const p = results.get('portless 0.13')!;
  const goals = [
    [`p50 within +0.3 ms of direct`, median(m.p50) - median(direct.p50) <= 0.3],
    [`throughput at least 0.7x direct`, median(m.rps) >= 0.7 * median(direct.rps)],
    [`not behind portless (p50 and throughput)`, median(m.p50) <= median(p.p50) && median(m.rps) >= median(p.rps)],
  ] as const;
  for (const [what, ok] of goals) console.log(`  goal: ${what}: ${ok ? 'met' : 'NOT met'}`);
  for (const ref of ['node byte pipe', 'haproxy 1 thr', 'haproxy 2 thr']) {
    const r = results.get(ref);
    if (r) console.log(`  reference: ${ref} reaches ${fmt(median(r.rps) / median(direct.rps), 2)}x direct; Manito's proxy ${fmt(median(m.rps) / median(r.rps), 2)}x of it`);
  }
}

const KB20 = Buffer.alloc(20 * 1024, 'x');

async function serveUpstream(): Promise<void> {
  const server = http.createServer((req, res) => {
    const body = req.url === '/20k' ? KB20 : 'ok';
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as net.AddressInfo).port}`));
}

async function serveManito(leasesFile: string, port: number): Promise<void> {
  const role = new ProxyRole({ port, routes: new RouteSource({ leasesFile }), addresses: ['127.0.0.1'] });
  console.log((await role.start()).role);
  process.once('SIGTERM', () => void role.stop().then(() => process.exit(0)));
}

const [mode, ...args] = process.argv.slice(2);
(mode === 'upstream' ? serveUpstream() : mode === 'manito' ? serveManito(args[0], Number(args[1])) : mode === 'pipe' ? Promise.resolve(serveNodePipe(Number(args[0]))) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
