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

  private async call(method: string, apiPath: string): Promise<{ status: number; body: string }> {
    const answer = await request(this.endpoint(), method, apiPath, this.timeoutMs);
    if (answer.status >= 500) throw new DockerError(`The Docker daemon failed ${method} ${apiPath} (HTTP ${answer.status}): ${answer.body.slice(0, 300).trim()}`);
    return answer;
  }

  /** Resolves when a daemon answers; rejects with the sentence a person reads otherwise. */
  async ping(): Promise<void> {
    const answer = await this.call('GET', '/_ping');
    if (answer.status !== 200) throw new DockerError(`The Docker daemon at ${this.endpoint().label} answered /_ping with HTTP ${answer.status}`);
  }

  /** Containers (running or not) carrying every one of `labels`. */
  async containers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }));
    const answer = await this.call('GET', `/containers/json?all=1&filters=${filters}`);
    if (answer.status !== 200) throw new DockerError(`The Docker daemon refused to list containers (HTTP ${answer.status}): ${answer.body.slice(0, 300).trim()}`);
    let list: unknown;
    try {
      list = JSON.parse(answer.body);
    } catch {
      throw new DockerError('The Docker daemon answered the container list with something that is not JSON');
    }
    if (!Array.isArray(list)) return [];
    return list.map((c: { Id?: unknown; Names?: unknown; State?: unknown; Labels?: unknown }) => ({
      id: String(c.Id ?? ''),
      name: Array.isArray(c.Names) && typeof c.Names[0] === 'string' ? c.Names[0].replace(/^\//, '') : '',
      state: String(c.State ?? ''),
      labels: typeof c.Labels === 'object' && c.Labels !== null ? c.Labels as Record<string, string> : {},
    }));
  }
}
