// Real servers for detection and health tests: a Vite dev server, redis-server and PostgreSQL,
// each on a loopback port the test allocated. Paths are those of the Debian packages.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exitOf, ROOT } from './hostProcess';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface RealServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (re.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out}`));
    });
  });
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exitOf(child);
  clearTimeout(timer);
}

/** A real Vite dev server (vite's createServer) in a child process, strictPort on 127.0.0.1. */
/** `cwd`: where the server runs (a service found running is adopted only inside its workspace). */
export async function startVite(port: number, cwd = ROOT): Promise<RealServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-vite-'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title><div id="app"></div>');
  const script = `
    import { createServer } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'node_modules', 'vite', 'dist', 'node', 'index.js')).href)};
    const server = await createServer({ root: ${JSON.stringify(root)}, configFile: false, logLevel: 'silent', clearScreen: false,
      cacheDir: ${JSON.stringify(path.join(root, '.vite'))},
      server: { port: ${port}, strictPort: true, host: '127.0.0.1', hmr: false } });
    await server.listen();
    console.log('VITE READY ' + ${port});
    process.on('SIGTERM', async () => { await server.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(child, /VITE READY/, 30_000, 'vite');
  return { port, child, stop: async () => { await kill(child); fs.rmSync(root, { recursive: true, force: true }); } };
}

export async function startRedis(port: number, cwd?: string): Promise<RealServer> {
  // redis-server changes into its --dir: inside `cwd` when given, so it runs where it was started.
  const dir = fs.mkdtempSync(path.join(cwd ?? os.tmpdir(), 'manito-redis-'));
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  await waitForLine(child, /Ready to accept connections/, 15_000, 'redis-server');
  return { port, child, stop: async () => { await kill(child); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** initdb and postgres refuse to run as root: when we are root they run as the `postgres` user. */
function pgUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!uid) throw new Error('running as root and there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

export async function startPostgres(port: number): Promise<RealServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-pg-'));
  fs.chmodSync(dir, 0o755);
  const user = pgUser();
  if (user.uid !== undefined && user.gid !== undefined) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { encoding: 'utf8', cwd: dir, ...user });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const child = spawn(path.join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'shared_buffers=16MB'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...user });
  await waitForLine(child, /ready to accept connections/, 30_000, 'postgres');
  return {
    port, child,
    stop: async () => {
      // SIGINT is PostgreSQL's fast shutdown.
      await kill(child, 'SIGINT');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
