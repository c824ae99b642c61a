// Test support for the proxy across real host processes: one "user" (a state folder and a proxy
// port shared by every host the test starts), workspaces with a small real HTTP service, the
// built host started headless on them, and requests through the proxy by name.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StackConfig } from '../../../protocol/config';
import type { ServiceView } from '../../../protocol/model';
import { freePort, getJson, startHeadless, until, type HostProcess, type Workspace } from './hostProcess';

/** A service that answers with where it runs: the folder it was started in and its port. */
export const WHERE_SERVER = `const urls = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^MANITO_.+_URL$/.test(k)));` +
  `require('http').createServer((q, s) => s.end(JSON.stringify({ cwd: process.cwd(), port: +process.env.PORT, url: q.url, host: q.headers.host, urls })))` +
  `.listen(+process.env.PORT, '127.0.0.1');`;

export interface ProxyUser {
  base: string;
  stateDir: string;
  proxyPort: number;
  env: NodeJS.ProcessEnv;
  /** A workspace folder at `base/<rel>` with this manito.json (the folder may exist already, e.g. a worktree). */
  workspace(rel: string, config: StackConfig): Workspace;
  cleanup(): void;
}

export async function proxyUser(): Promise<ProxyUser> {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'manito-proxy-host-')));
  const stateDir = path.join(base, 'state');
  const proxyPort = await freePort();
  // A short heal interval is the host's own default; nothing here changes timing.
  const env = { ...process.env, MANITO_STATE_DIR: stateDir, MANITO_PROXY_PORT: String(proxyPort), NO_COLOR: '1' };
  return {
    base, stateDir, proxyPort, env,
    workspace(rel, config) {
      const dir = path.join(base, rel);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'where.cjs'), WHERE_SERVER);
      const write = (c: StackConfig | string) => fs.writeFileSync(path.join(dir, 'manito.json'), typeof c === 'string' ? c : JSON.stringify(c, null, 2));
      write(config);
      return { dir, stateDir, env, writeConfig: write, cleanup: () => undefined };
    },
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

/** Starts the built host on the workspace and waits until it has decided its proxy role. */
export async function startProxyHost(ws: Workspace): Promise<HostProcess> {
  const host = await startHeadless(ws);
  await host.waitForOutput(/Proxy: (serving|another Manito host serves)/);
  return host;
}

export async function serviceAction(host: HostProcess, service: string, action: 'start' | 'stop'): Promise<void> {
  const r = await getJson(`${host.url}/api/services/${service}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-manito-token': host.token } });
  if (r.status !== 200) throw new Error(`${action} ${service}: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function serviceView(host: HostProcess, service: string): Promise<ServiceView> {
  const snapshot = (await getJson(`${host.url}/api/snapshot`)).body as { data: { services: ServiceView[] } };
  const view = snapshot.data.services.find((s) => s.name === service);
  if (!view) throw new Error(`no service ${service} in the snapshot`);
  return view;
}

export interface ProxyAnswer {
  status: number;
  body: string;
}

/** One request to the proxy at 127.0.0.1 with the given name as Host. */
export function viaProxy(port: number, name: string, pathName = '/'): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathName, headers: { host: `${name}:${port}` }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/** Waits until the name answers 200 through the proxy, and returns the service's JSON. */
export function untilServed(port: number, name: string, what = name, timeoutMs = 30_000): Promise<{ cwd: string; port: number; host: string; urls: Record<string, string> }> {
  return until(async () => {
    const r = await viaProxy(port, name).catch(() => undefined);
    return r?.status === 200 ? JSON.parse(r.body) : undefined;
  }, timeoutMs, `${what} through the proxy`);
}
