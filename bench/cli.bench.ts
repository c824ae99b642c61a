// `manito status` as a whole process against the seed's CLI discovery (fetch /api/health on
// 3000..3010 one by one), both spawned fresh each round: with a host running (Manito reads the
// discovery file; the seed walks up to the host's port), and with no host at all (the worst case:
// Manito probes 31 ports in parallel, the seed 11 in sequence). Medians of interleaved rounds.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_HOST_PORTS, SEED_SCAN_PORTS } from '../protocol/config';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const HOST = path.join(ROOT, 'dist', 'host.js');
const ROUNDS = Number(process.env.MANITO_BENCH_ROUNDS ?? 15);

/** The seed's detectServerPort(), as a standalone CLI (with `await` on text(), which the seed forgot). */
const SEED_SCRIPT = `
async function detectServerPort() {
  const commonPorts = [3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010];
  for (const port of commonPorts) {
    try {
      const response = await fetch(\`http://localhost:\${port}/api/health\`);
      if (response.ok && (await response.text()).includes('Manito')) return port;
    } catch {}
  }
  return null;
}
detectServerPort().then((port) => {
  if (port) { console.log('✅ ManitoDebug server detected on port ' + port); process.exit(0); }
  console.error('No server found'); process.exit(1);
});
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freeEphemeral(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    if (!out.includes(port)) out.push(port);
  }
  return out;
}

function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, out }));
  });
}

async function rounds(label: string, cases: Array<{ name: string; args: string[]; env: NodeJS.ProcessEnv; expect: number }>): Promise<Map<string, number>> {
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < ROUNDS + 1; i++) {
    for (const c of cases) {
      const r = await timeProcess(c.args, c.env);
      if (r.code !== c.expect) throw new Error(`${label} / ${c.name}: exit ${r.code}, expected ${c.expect}:\n${r.out}`);
      if (i > 0) times.get(c.name)!.push(r.ms); // round 0 warms the file cache
    }
  }
  const medians = new Map([...times].map(([k, v]) => [k, median(v)]));
  console.log(`\n${label} (median of ${ROUNDS}, whole process):`);
  for (const [name, ms] of medians) console.log(`  ${name.padEnd(46)} ${ms.toFixed(1).padStart(7)} ms`);
  return medians;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI) || !fs.existsSync(HOST)) {
    if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-cli-bench-'));
  const seedScript = path.join(base, 'seed-status.mjs');
  fs.writeFileSync(seedScript, SEED_SCRIPT);
  const ws = path.join(base, 'ws');
  fs.mkdirSync(ws);
  const env = { ...process.env, MANITO_STATE_DIR: path.join(base, 'state'), NO_COLOR: '1' };
  const baseline = { name: 'node -e 0 (process start floor)', args: ['-e', '0'], env, expect: 0 };

  // A host on the last free seed port, so the seed's loop finds it where it looks, as late as it can.
  const seedFree = [];
  for (const p of SEED_SCAN_PORTS) if (await isFree(p)) seedFree.push(p);
  const hostPort = seedFree[seedFree.length - 1];
  let host: ReturnType<typeof spawn> | undefined;
  try {
    if (hostPort === undefined) {
      console.log('every port 3000-3010 is taken here; skipping the with-host comparison');
    } else {
      fs.writeFileSync(path.join(ws, 'manito.json'), JSON.stringify({ host: { ports: [hostPort] }, services: { api: { preferred: (await freeEphemeral(1)) } } }));
      host = spawn(process.execPath, [HOST, '--headless', ws], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        host!.stdout!.on('data', (c) => { out += c; if (out.includes('Manito host listening')) resolve(); });
        host!.once('exit', (code) => reject(new Error(`host exited ${code}: ${out}`)));
      });
      const probedBySeed = SEED_SCAN_PORTS.indexOf(hostPort) + 1;
      const m = await rounds(`host running on ${hostPort} (the seed probes ${probedBySeed} port(s) to reach it)`, [
        baseline,
        { name: 'manito status (discovery file)', args: [CLI, 'status', ws], env, expect: 0 },
        { name: 'seed loop 3000.. one by one', args: [seedScript], env, expect: 0 },
      ]);
      const manito = m.get('manito status (discovery file)')!;
      const seed = m.get('seed loop 3000.. one by one')!;
      const floor = m.get(baseline.name)!;
      console.log(`  ratio seed / manito: ${(seed / manito).toFixed(2)}x; above the process floor: manito ${(manito - floor).toFixed(1)} ms, seed ${(seed - floor).toFixed(1)} ms`);
      host.kill('SIGTERM');
      await new Promise((r) => host!.once('exit', r));
      host = undefined;
    }

    // No host anywhere: Manito's full scan set (31 ports), on ports known free here so that other
    // hosts on this machine cannot answer; the seed on 3000-3010 where nothing must answer either.
    const emptyEnv = { ...env, MANITO_STATE_DIR: path.join(base, 'empty-state') };
    const scanPorts = await freeEphemeral(DEFAULT_HOST_PORTS.length + SEED_SCAN_PORTS.length);
    const seedBusy = SEED_SCAN_PORTS.length - seedFree.length;
    const m = await rounds(`no host (worst case; Manito probes ${scanPorts.length} ports in parallel, the seed 11 in sequence${seedBusy ? `, ${seedBusy} of which are held by something else here` : ''})`, [
      baseline,
      { name: 'manito status (no host, 31-port parallel scan)', args: [CLI, 'status'], env: { ...emptyEnv, MANITO_SCAN_PORTS: scanPorts.join(',') }, expect: 1 },
      { name: 'seed loop 3000-3010 one by one', args: [seedScript], env: emptyEnv, expect: 1 },
    ]);
    const manito = m.get('manito status (no host, 31-port parallel scan)')!;
    const seed = m.get('seed loop 3000-3010 one by one')!;
    const floor = m.get(baseline.name)!;
    console.log(`  ratio seed / manito: ${(seed / manito).toFixed(2)}x; above the process floor: manito ${(manito - floor).toFixed(1)} ms, seed ${(seed - floor).toFixed(1)} ms`);
  } finally {
    host?.kill('SIGTERM');
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
