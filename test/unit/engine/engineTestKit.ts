// Shared by the engine tests: a private state dir per test, a random free port range far from real
// services, real listeners in this process or in a child process, and an engine that records events.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_HOST_PORTS, type StackConfig } from '../../../protocol/config';
import type { EngineEvent } from '../../../server/engine/engineApi';
import { PortEngine, type PortEngineOptions } from '../../../server/engine/portEngine';
import { bindsEverywhere } from '../../../server/engine/portProbe';

export function tempStateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-engine-'));
  process.env.MANITO_STATE_DIR = dir;
  return dir;
}

/** A random base in 20000-60000 whose next `span` ports are all bindable right now. */
export async function freeRange(span: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (40000 - span));
    // The Manito host's own ports are refused as preferred ports: a range over them makes invalid stacks.
    if (DEFAULT_HOST_PORTS.some((p) => p >= base && p < base + span)) continue;
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await bindsEverywhere(p);
    if (ok) return base;
  }
  throw new Error(`no free range of ${span} ports found`);
}

export async function listen(port: number, host: string): Promise<net.Server> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true, ...(host === '::' ? { ipv6Only: true } : {}) }, () => resolve());
  });
  return server;
}

export function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A separate node process listening on `port`, so the holder's pid is not our own. */
export async function foreignListener(port: number, host = '127.0.0.1'): Promise<{ pid: number; child: ChildProcess; stop(): Promise<void> }> {
  const script = `require('net').createServer().listen({port:${port},host:${JSON.stringify(host)}},()=>process.stdout.write('up\\n'));setInterval(()=>{},1e6)`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return {
    pid: child.pid!,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

export interface Recorded {
  engine: PortEngine;
  events: EngineEvent[];
}

export function engineFor(stack: StackConfig, extra: Partial<PortEngineOptions> = {}): Recorded {
  const engine = new PortEngine({ stack, workspace: extra.workspace ?? '/test/ws', ...extra });
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events };
}

export function ports(engine: PortEngine): Record<string, number> {
  return Object.fromEntries([...engine.all()].map(([name, a]) => [name, a.port]));
}
