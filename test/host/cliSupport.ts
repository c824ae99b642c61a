// Test support for the CLI tests: runs the built CLI (dist/cli.js) as a user would, with the
// workspace's own state dir, and collects its output and exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './support/hostProcess';
import { unseal } from '../../server/engine/sealedFile';

export const CLI_JS = path.join(ROOT, 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { env: options.env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`manito ${args.join(' ')} timed out:\n${stdout}\n${stderr}`)); }, options.timeoutMs ?? 20_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** A long-running CLI process (`up`, `host`) with its output so far. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exit: Promise<number | null>;
}

export function startCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): CliProcess {
  const child = spawn(process.execPath, [CLI_JS, ...args], { env: options.env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (c: Buffer) => { out += c.toString(); for (const w of [...waiters]) w(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => { for (const w of [...waiters]) w(); resolve(code); }));
  const waitFor = (text: string | RegExp, timeoutMs = 20_000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${text}:\n${out}`)); }, timeoutMs);
    function check() {
      if (typeof text === 'string' ? out.includes(text) : text.test(out)) {
        clearTimeout(timer); waiters.delete(check); resolve();
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearTimeout(timer); waiters.delete(check); reject(new Error(`exited (${child.exitCode}) before ${text}:\n${out}`));
      }
    }
    waiters.add(check);
    check();
  });
  return { child, output: () => out, waitFor, exit };
}

/** The leases in the registry file; a torn read (a writer recycles the file's spare) is read again. */
export function leases(stateDir: string): unknown[] {
  for (let attempt = 0; attempt < 100; attempt++) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(stateDir, 'leases.json'), 'utf8');
    } catch {
      return [];
    }
    const body = unseal(text);
    if (body === '') return [];
    if (body !== null) return (JSON.parse(body) as { leases: unknown[] }).leases;
  }
  throw new Error(`leases.json in ${stateDir} stayed torn for 100 reads`);
}

export function hostFiles(stateDir: string): string[] {
  try {
    return fs.readdirSync(path.join(stateDir, 'hosts'));
  } catch {
    return [];
  }
}
