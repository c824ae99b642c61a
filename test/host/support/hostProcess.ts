// Test support: temp workspaces with their own state dir, free loopback ports, and the built host
// (dist/host.js) spawned headless or over stdio JSON-RPC, as the CLI and the extension run it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import { DEFAULT_HOST_PORTS, type StackConfig } from '../../../protocol/config';
import type { DiscoveryRecord } from '../../../protocol/discovery';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const HOST_JS = path.join(ROOT, 'dist', 'host.js');

/** A port the OS calls free right now (ephemeral range, far from every dev server's defaults). */
export async function freePort(): Promise<number> {
  // The host's own range is refused as a service port (issue 13): never hand one out.
  for (;;) {
    const port = await anyFreePort();
    if (!DEFAULT_HOST_PORTS.includes(port)) return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

export interface Workspace {
  dir: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  writeConfig(config: StackConfig | string): void;
  cleanup(): void;
}

export function makeWorkspace(config?: StackConfig | string): Workspace {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-host-test-'));
  const dir = path.join(base, 'ws');
  const stateDir = path.join(base, 'state');
  fs.mkdirSync(dir);
  const ws: Workspace = {
    dir, stateDir,
    env: { ...process.env, MANITO_STATE_DIR: stateDir, NO_COLOR: '1' },
    writeConfig(c) {
      fs.writeFileSync(path.join(dir, 'manito.json'), typeof c === 'string' ? c : JSON.stringify(c, null, 2));
    },
    cleanup() { fs.rmSync(base, { recursive: true, force: true }); },
  };
  if (config !== undefined) ws.writeConfig(config);
  return ws;
}

export interface HostProcess {
  child: ChildProcess;
  url: string;
  port: number;
  token: string;
  record: DiscoveryRecord;
  output(): string;
  /** Resolves when the output contains `text` (or matches). */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function outputWaiter(child: ChildProcess) {
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const waitFor = (text: string | RegExp, timeoutMs = 15_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text} in host output:\n${out}`)), timeoutMs);
    const check = () => {
      if (typeof text === 'string' ? out.includes(text) : text.test(out)) {
        clearTimeout(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`host exited (${child.exitCode}) before printing ${text}:\n${out}`));
      } else waiters.push(check);
    };
    child.on('exit', () => { for (const w of waiters.splice(0)) w(); });
    check();
  });
  return { output: () => out, waitFor };
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export function readRecord(ws: Workspace, pid: number): DiscoveryRecord {
  return JSON.parse(fs.readFileSync(path.join(ws.stateDir, 'hosts', `${pid}.json`), 'utf8')) as DiscoveryRecord;
}

export async function startHeadless(ws: Workspace, extraArgs: string[] = []): Promise<HostProcess> {
  const child = spawn(process.execPath, [HOST_JS, '--headless', ws.dir, ...extraArgs], { env: ws.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const io = outputWaiter(child);
  await io.waitFor(/Manito host listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const url = /Manito host listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.output())![1];
  const record = readRecord(ws, child.pid!);
  return {
    child, url, port: Number(new URL(url).port), token: record.token, record,
    output: io.output, waitForOutput: io.waitFor,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exitOf(child);
    },
  };
}

export interface LspHost {
  child: ChildProcess;
  connection: ProtocolConnection;
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns the host with --stdio and connects as the extension does; does not initialize. */
export function spawnLsp(ws: Workspace): LspHost {
  const child = spawn(process.execPath, [HOST_JS, '--stdio'], { env: ws.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  return {
    child, connection, stderr: () => err,
    async close() {
      connection.dispose();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exitOf(child);
    },
  };
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body, headers: res.headers };
}

/** Polls `fn` until it returns a truthy value. For state reached by other processes' timers. */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
