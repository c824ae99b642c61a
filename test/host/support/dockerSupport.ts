// Test support for the Docker tests: a daemon that answers (started by scripts/ensure-dockerd.sh
// when none does), the locally built test image, and the daemon's network namespace. Docker
// publishes ports in the daemon's namespace, so a test run inside `unshare -n` re-runs its Docker
// file there (nsenter), where the published ports are. Nothing is skipped: what is missing fails
// the test with the line that installs or starts it.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './hostProcess';

export const TEST_IMAGE = 'manito-test/httpd:1';
const IN_DAEMON_NETNS = 'MANITO_TEST_IN_DOCKER_NETNS';

function script(name: string, args: string[] = []): void {
  const result = spawnSync('bash', [path.join(ROOT, 'scripts', name), ...args], { encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`scripts/${name} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || '').trim()}`);
}

/** A daemon answers and the test image exists; throws the script's sentence otherwise. */
export function requireDockerAndImage(): void {
  script('ensure-dockerd.sh');
  script('build-test-image.sh', [TEST_IMAGE]);
}

function daemonPid(): number {
  for (const file of ['/var/run/docker.pid', '/run/docker.pid']) {
    try {
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (pid > 0 && fs.existsSync(`/proc/${pid}`)) return pid;
    } catch {
      // Try the next place.
    }
  }
  const found = spawnSync('pidof', ['dockerd'], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
  if (!found) throw new Error('A Docker daemon answers but no dockerd process is visible here, so its network namespace is unknown');
  return Number(found);
}

/** The daemon's network namespace file when it is not this process's, else undefined. */
export function daemonNetns(): string | undefined {
  if (process.env[IN_DAEMON_NETNS] === '1') return undefined;
  const theirs = `/proc/${daemonPid()}/ns/net`;
  return fs.readlinkSync(theirs) === fs.readlinkSync('/proc/self/ns/net') ? undefined : theirs;
}

/**
 * Runs `testFile` again with node's test runner inside the daemon's network namespace; resolves
 * with its exit code and output. Needs root (setns), as starting dockerd does.
 */
export function runInDaemonNetns(netns: string, testFile: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  // Without NODE_TEST_CONTEXT the child is a test run of its own, not a file of ours.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', testFile], {
      cwd: ROOT, env: { ...env, [IN_DAEMON_NETNS]: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** `docker <args>` with its output; throws with stderr when it fails. */
export function docker(args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  return result.stdout.trim();
}
