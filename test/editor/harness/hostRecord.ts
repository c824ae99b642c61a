// Finds the Manito host a workbench started (its discovery file in the session's state dir) and
// waits on real conditions, so editor tests check what the host says against what the UI shows.
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { DiscoveryRecord } from '../../../protocol/discovery';
import { TOKEN_HEADER } from '../../../protocol/http';
import { UI_TIMEOUT_MS } from './browser';

/** The live host's discovery record in a state dir (a session's `stateDir`), skipping `notPid`. */
export function liveHost(stateDir: string, notPid?: number): DiscoveryRecord | undefined {
  let names: string[] = [];
  try { names = readdirSync(join(stateDir, 'hosts')); } catch { return undefined; }
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const record = JSON.parse(readFileSync(join(stateDir, 'hosts', name), 'utf8')) as DiscoveryRecord;
      if (record.pid === notPid) continue;
      process.kill(record.pid, 0);
      return record;
    } catch {
      // A dead pid or a file being written.
    }
  }
  return undefined;
}

/** GETs a host API path and returns its JSON body. */
export async function hostGet<T>(host: DiscoveryRecord, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${host.port}${path}`, { signal: AbortSignal.timeout(5000) });
  return await response.json() as T;
}

/** POSTs an action (`/api/stack/start`, ...) with the host's token, as the CLI does. */
export async function hostPost<T>(host: DiscoveryRecord, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`http://127.0.0.1:${host.port}${path}`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: await response.json() as T };
}

/** Polls `probe` until it returns something other than undefined/false/null; says what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false | null>, timeoutMs = UI_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
}

/** Whether anything accepts a TCP connection on 127.0.0.1:port (a service's own port, say). */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
