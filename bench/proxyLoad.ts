// The proxy bench's load generator: keep-alive connections that send one GET at a time, a latency
// run over one of them and a throughput run over many, and the CPU time a process spent meanwhile.
import * as fs from 'node:fs';
import * as net from 'node:net';

export const LATENCY_REQUESTS = 4000;
export const CONNECTIONS = 16;
export const THROUGHPUT_MS = 2000;

/** One keep-alive connection that sends one GET at a time and counts a response by its Content-Length. */
class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly socket: net.Socket;
  private readonly head: Buffer;
  onResponse: () => void = () => undefined;

  constructor(port: number, host: string, path: string) {
    this.head = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    this.socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    this.socket.on('data', (chunk) => this.read(chunk));
    this.socket.on('error', (error) => { throw error; });
  }

  ready(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  send(): void {
    this.socket.write(this.head);
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.pending.toString('latin1', 0, end);
      if (!head.startsWith('HTTP/1.1 200')) throw new Error(`unexpected answer: ${head.split('\r\n')[0]}`);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      const total = end + 4 + length;
      if (this.pending.length < total) return;
      this.pending = this.pending.subarray(total);
      this.onResponse();
    }
  }
}

export async function latency(port: number, host: string, path: string): Promise<{ p50: number; p99: number }> {
  const c = new Connection(port, host, path);
  await c.ready();
  const samples: number[] = [];
  await new Promise<void>((resolve) => {
    let t0 = 0;
    let n = 0;
    c.onResponse = () => {
      if (n++ >= 500) samples.push(Number(process.hrtime.bigint() - BigInt(t0)) / 1e6);
      if (n >= LATENCY_REQUESTS + 500) return resolve();
      t0 = Number(process.hrtime.bigint());
      c.send();
    };
    t0 = Number(process.hrtime.bigint());
    c.send();
  });
  c.close();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Requests per second, and the CPU microseconds `pid` spent per request meanwhile. */
export async function throughput(port: number, host: string, path: string, pid: number): Promise<{ rps: number; cpuUs: number }> {
  const conns = Array.from({ length: CONNECTIONS }, () => new Connection(port, host, path));
  await Promise.all(conns.map((c) => c.ready()));
  let counting = false;
  let count = 0;
  let stopped = false;
  for (const c of conns) {
    c.onResponse = () => {
      if (counting) count++;
      if (!stopped) c.send();
    };
    c.send();
  }
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  counting = true;
  const start = process.hrtime.bigint();
  const cpu0 = cpuMs(pid);
  await new Promise((r) => setTimeout(r, THROUGHPUT_MS));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  counting = false;
  const cpu = cpuMs(pid) - cpu0;
  stopped = true;
  await new Promise((r) => setTimeout(r, 50));
  for (const c of conns) c.close();
  return { rps: count / elapsed, cpuUs: (cpu * 1000) / count };
}
