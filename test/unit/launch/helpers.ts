// Small helpers for the launch tests: free ports from the OS, HTTP probes, waiting for a condition.
import * as http from 'node:http';
import * as net from 'node:net';
import { DEFAULT_HOST_PORTS } from '../../../protocol/config';

export async function freePort(): Promise<number> {
  // The host's own range is refused as a service port (issue 13): never hand one out.
  for (;;) {
    const port = await anyFreePort();
    if (!DEFAULT_HOST_PORTS.includes(port)) return port;
  }
}

async function anyFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as T;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A node http server answering `<name> <port>`; listens on $PORT. */
export const SERVER_JS = `require('http').createServer((q, s) => s.end(process.env.NAME + ' ' + process.env.PORT + ' ' + (process.env.UPSTREAM || ''))).listen(+process.env.PORT, '127.0.0.1', () => console.log('listening on ' + process.env.PORT))`;

export function nodeServerCommand(): string {
  return `${JSON.stringify(process.execPath)} -e ${shellQuote(SERVER_JS)}`;
}

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
