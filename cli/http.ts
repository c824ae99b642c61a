// Minimal HTTP against a Manito host on loopback, with a hard timeout. node:http, not fetch: the
// CLI starts faster without loading undici, and `manito status` is run often.
import * as http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

export function request(url: string, options: { method?: 'GET' | 'POST'; timeoutMs?: number; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', (error) => { clearTimeout(timer); reject(error); });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs} ms`)), options.timeoutMs ?? 2000);
    req.on('error', (error) => { clearTimeout(timer); reject(error); });
    req.end(options.body);
  });
}

export async function getJson<T>(url: string, timeoutMs = 2000): Promise<T> {
  const res = await request(url, { timeoutMs });
  if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}`);
  return JSON.parse(res.body) as T;
}
