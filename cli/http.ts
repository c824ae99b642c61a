// Minimal HTTP against a Manito host on loopback, with a hard timeout. node:http, not fetch: the
// CLI starts faster without loading undici, and `manito status` is run often.
import * as http from 'node:http';
import { API_SERVICES_PREFIX, API_STACK_PREFIX, TOKEN_HEADER, type ErrorResponse, type ServiceAction, type StackAction } from '../protocol/http';
import type { ActionResult } from '../protocol/lsp';

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

/** POST /api/stack/<action> with the host's token; the host's answer as an ActionResult. */
export function postStackAction(record: { port: number; pid: number; token: string }, action: StackAction, timeoutMs: number): Promise<ActionResult> {
  return postAction(record, `${API_STACK_PREFIX}${action}`, timeoutMs);
}

/** POST /api/services/<service>/<action> with the host's token. */
export function postServiceAction(record: { port: number; pid: number; token: string }, service: string, action: ServiceAction, timeoutMs: number): Promise<ActionResult> {
  return postAction(record, `${API_SERVICES_PREFIX}${encodeURIComponent(service)}/${action}`, timeoutMs);
}

async function postAction(record: { port: number; pid: number; token: string }, path: string, timeoutMs: number): Promise<ActionResult> {
  let res: HttpResult;
  try {
    res = await request(`http://127.0.0.1:${record.port}${path}`, {
      method: 'POST', timeoutMs, body: '{}', headers: { [TOKEN_HEADER]: record.token, 'content-type': 'application/json' },
    });
  } catch (error) {
    return { ok: false, message: `The host (pid ${record.pid}, port ${record.port}) did not answer: ${(error as Error).message}` };
  }
  try {
    const body = JSON.parse(res.body) as { success: true; data: ActionResult } | ErrorResponse;
    return body.success ? body.data : { ok: false, message: body.error };
  } catch {
    return { ok: false, message: `The host answered HTTP ${res.status} with a body that is not JSON.` };
  }
}
