// The few Docker Engine API calls Manito makes itself, over the daemon's socket (no docker CLI
// needed): is a daemon there, and which containers carry given labels. Every failure becomes one
// sentence saying what to start, install or change.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

export type DockerEndpoint = { socketPath: string; label: string } | { host: string; port: number; label: string };

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  state: string;
  labels: Record<string, string>;
}

const ANSWER_BYTES = 4 * 1024 * 1024;

/** Where the daemon listens: DOCKER_HOST, else the system socket, else a per-user one that exists. */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint | { unsupported: string } {
  const given = env.DOCKER_HOST;
  if (given) {
    if (given.startsWith('unix://')) return { socketPath: given.slice('unix://'.length), label: given };
    const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(given);
    if (tcp && env.DOCKER_TLS_VERIFY !== '1') return { host: tcp[1]!, port: Number(tcp[2]), label: given };
    return { unsupported: `DOCKER_HOST=${given} is not a unix socket or plain tcp://host:port, which is what Manito can check; point it at the daemon's socket` };
  }
  const candidates = [
    '/var/run/docker.sock',
    ...(env.XDG_RUNTIME_DIR ? [path.join(env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
    path.join(os.homedir(), '.docker', 'run', 'docker.sock'),
    path.join(os.homedir(), '.docker', 'desktop', 'docker.sock'),
  ];
  const socketPath = candidates.find((p) => fs.existsSync(p)) ?? candidates[0]!;
  return { socketPath, label: `unix://${socketPath}` };
}

class DockerError extends Error {}

function request(endpoint: DockerEndpoint, method: string, apiPath: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = 'socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
    const req = http.request({ ...target, method, path: apiPath, headers: { host: 'docker' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > ANSWER_BYTES) req.destroy(new DockerError(`The Docker daemon's answer to ${apiPath} is larger than ${ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new DockerError(`The Docker daemon at ${endpoint.label} did not answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof DockerError) return reject(error);
      const where = 'socketPath' in endpoint ? endpoint.socketPath : endpoint.label;
      if (error.code === 'EACCES' || error.code === 'EPERM') {
        return reject(new DockerError(`Docker's socket ${where} refuses this user: add yourself to the docker group (sudo usermod -aG docker $USER, then log in again)`));
      }
      reject(new DockerError(`No Docker daemon answers at ${endpoint.label} (${error.code ?? error.message}): start it (sudo systemctl start docker, or sudo dockerd), or set DOCKER_HOST to where it listens`));
    });
    req.end();
  });
}

export class DockerEngine {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env, private readonly timeoutMs = 5000) {}

  private endpoint(): DockerEndpoint {
    const endpoint = dockerEndpoint(this.env);
    if ('unsupported' in endpoint) throw new DockerError(endpoint.unsupported);
    return endpoint;
  }

  private async call(method: string, apiPath: string, timeoutMs = this.timeoutMs): Promise<{ status: number; body: string }> {
    const answer = await request(this.endpoint(), method, apiPath, timeoutMs);
    if (answer.status >= 500) throw new DockerError(`The Docker daemon failed ${method} ${apiPath} (HTTP ${answer.status}): ${answer.body.slice(0, 300).trim()}`);
    return answer;
  }

  /** Resolves when a daemon answers; rejects with the sentence a person reads otherwise. */
  async ping(): Promise<void> {
    const answer = await this.call('GET', '/_ping');
    if (answer.status !== 200) throw new DockerError(`The Docker daemon at ${this.endpoint().label} answered /_ping with HTTP ${answer.status}`);
  }

  /** Containers (running or not) carrying every one of `labels` (a bare key: the label with any value). */
  async containers(labels: Record<string, string | true>): Promise<ContainerSummary[]> {
    const list = await this.list('containers', labels);
    return list.map((c) => ({
      id: String(c.Id ?? ''),
      name: Array.isArray(c.Names) && typeof c.Names[0] === 'string' ? c.Names[0].replace(/^\//, '') : '',
      state: String(c.State ?? ''),
      labels: typeof c.Labels === 'object' && c.Labels !== null ? c.Labels as Record<string, string> : {},
    }));
  }

  /** Networks carrying every one of `labels`: their ids. */
  async networks(labels: Record<string, string | true>): Promise<string[]> {
    return (await this.list('networks', labels)).map((n: { Id?: unknown }) => String(n.Id ?? '')).filter(Boolean);
  }

  /**
   * Stops (SIGTERM, then SIGKILL after `graceSec`, as `compose rm --stop` does) and removes one
   * container by id; its volumes stay. A container already gone is not an error.
   */
  async removeContainer(id: string, graceSec = 10): Promise<void> {
    const ref = encodeURIComponent(id);
    const stopped = await this.call('POST', `/containers/${ref}/stop?t=${graceSec}`, (graceSec + 30) * 1000);
    if (![204, 304, 404].includes(stopped.status)) throw new DockerError(`The Docker daemon refused to stop container ${id.slice(0, 12)} (HTTP ${stopped.status}): ${stopped.body.slice(0, 300).trim()}`);
    const removed = await this.call('DELETE', `/containers/${ref}?force=1`);
    if (![204, 404].includes(removed.status)) throw new DockerError(`The Docker daemon refused to remove container ${id.slice(0, 12)} (HTTP ${removed.status}): ${removed.body.slice(0, 300).trim()}`);
  }

  /** Removes a network by id; one still in use or already gone is left (false). */
  async removeNetwork(id: string): Promise<boolean> {
    const answer = await this.call('DELETE', `/networks/${encodeURIComponent(id)}`).catch(() => undefined);
    return answer?.status === 204;
  }

  private async list(what: 'containers' | 'networks', labels: Record<string, string | true>): Promise<Array<Record<string, unknown>>> {
    const filters = encodeURIComponent(JSON.stringify({ label: Object.entries(labels).map(([k, v]) => (v === true ? k : `${k}=${v}`)) }));
    const answer = await this.call('GET', what === 'containers' ? `/containers/json?all=1&filters=${filters}` : `/networks?filters=${filters}`);
    if (answer.status !== 200) throw new DockerError(`The Docker daemon refused to list ${what} (HTTP ${answer.status}): ${answer.body.slice(0, 300).trim()}`);
    let list: unknown;
    try {
      list = JSON.parse(answer.body);
    } catch {
      throw new DockerError(`The Docker daemon answered the ${what} list with something that is not JSON`);
    }
    return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
  }
}
