// Which Compose command line is installed, `docker compose` (v2, a docker CLI plugin) or
// `docker-compose` (v1, or a standalone v2), and running it with bounded output and a time limit.
import { spawn } from 'node:child_process';

export interface ComposeCli {
  /** The major Compose version: decides nothing in how Manito calls it, but is reported. */
  generation: 'v1' | 'v2';
  command: string;
  /** Arguments before Compose's own: `['compose']` for the docker plugin. */
  prefix: string[];
  version: string;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not run at all (ENOENT: not installed) or ran out of time. */
  error?: string;
}

export type Exec = (command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }) => Promise<ExecResult>;

/** Output kept per stream: the tail, where the error is. */
const OUTPUT_BYTES = 64 * 1024;

export const runCommand: Exec = (command, args, { cwd, env, timeoutMs }) => new Promise((resolve) => {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  const keep = (key: 'stdout' | 'stderr') => (chunk: Buffer) => {
    out[key] = (out[key] + chunk.toString('utf8')).slice(-OUTPUT_BYTES);
  };
  child.stdout.on('data', keep('stdout'));
  child.stderr.on('data', keep('stderr'));
  let error: string | undefined;
  const timer = setTimeout(() => {
    error = `${command} ${args.join(' ')} did not finish within ${Math.round(timeoutMs / 1000)} s`;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }, timeoutMs);
  child.on('error', (e: NodeJS.ErrnoException) => {
    error = e.code === 'ENOENT' ? `${command} is not installed` : e.message;
  });
  child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, ...out, ...(error ? { error } : {}) });
  });
});

export const NO_COMPOSE = 'Docker Compose is not installed: neither `docker compose` (v2) nor `docker-compose` (v1) answers `version`; install one '
  + '(Debian: apt-get install docker-compose; with Docker\'s own packages: docker-compose-plugin)';

/** `2.24.5`, `v2.24.5`, `1.29.2` (the first line of `version --short`). */
function versionOf(result: ExecResult): string | undefined {
  if (result.code !== 0 || result.error) return undefined;
  return /^v?(\d+\.\d+[\w.+-]*)/.exec(result.stdout.trim())?.[1];
}

/** The Compose CLI to use, v2 first; or the sentence saying to install one. */
export async function detectComposeCli(exec: Exec = runCommand, env: NodeJS.ProcessEnv = process.env): Promise<ComposeCli | { unavailable: string }> {
  const timeoutMs = 15_000;
  const plugin = versionOf(await exec('docker', ['compose', 'version', '--short'], { env, timeoutMs }));
  if (plugin) return { generation: plugin.startsWith('1.') ? 'v1' : 'v2', command: 'docker', prefix: ['compose'], version: plugin };
  const standalone = versionOf(await exec('docker-compose', ['version', '--short'], { env, timeoutMs }));
  if (standalone) return { generation: standalone.startsWith('1.') ? 'v1' : 'v2', command: 'docker-compose', prefix: [], version: standalone };
  return { unavailable: NO_COMPOSE };
}

/** The last lines of a failed command's output: what a person needs to see why. */
export function failureTail(result: ExecResult, lines = 6): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-lines).join('\n');
  return result.error ?? (text || `exit code ${result.code}`);
}
