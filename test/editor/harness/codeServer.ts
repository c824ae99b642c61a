// Starts code-server (the real VS Code workbench and extension host) from the project's cache on a
// free loopback port, with throw-away user data and extensions folders, and stops its whole tree.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerCache, codeServerEntry, codeServerVersion } from './paths';
import { killMarked, killTree } from './processTree';
import { DEFAULT_HOST_PORTS } from '../../../protocol/config';

// Every process of one server carries this variable, so strays can be found after the tree is gone.
const MARKER = 'MANITO_HARNESS_CODE_SERVER';

export interface CodeServerOptions {
  /** .vsix files installed before the server starts. */
  vsix?: string[];
  /** Extra user settings merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Environment for the server and everything it spawns (extension host, terminals). */
  env?: NodeJS.ProcessEnv;
  /**
   * Leave workspace trust on, as a user's VS Code has it: a folder opened from the URL is then
   * untrusted (restricted mode) until someone trusts it. Off by default, so tests run commands.
   */
  workspaceTrust?: boolean;
  /** How long to wait for the server to answer; generous because two cores are shared. */
  startTimeoutMs?: number;
  /** Extra code-server arguments, e.g. `['--locale', 'qps-ploc']`. */
  args?: string[];
  /** Called once the .vsix files are installed, before the server starts. */
  afterInstall?: (dirs: { extensionsDir: string; userDataDir: string }) => void;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  /** Temp folder holding user-data/ and extensions/; removed by stop(). */
  readonly dir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Folders of the installed extensions, by id (`publisher.name`). */
  installedExtensionPath(id: string): string;
  /** Everything code-server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  // Services under test listen on ports; the "application running on port N" toasts would cover
  // the very notifications and status bar the tests read and screenshot.
  'remote.autoForwardPorts': false,
};

// VS Code's own defaults: trust on, and the "Do you trust the authors" dialog once per folder.
const TRUST_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'once',
};

/** Throws a message that says how to install code-server when the cache has none. */
export function assertCodeServerInstalled(): void {
  if (!existsSync(codeServerEntry) || !existsSync(join(codeServerCache, `.ok-${codeServerVersion}`))) {
    throw new Error(
      `code-server ${codeServerVersion} is not installed in ${codeServerCache}: ` +
        'run `bash scripts/install-code-server.sh` (needs `apt-get install -y ripgrep libkrb5-dev` first). ' +
        'The editor tier cannot run without it.',
    );
  }
}

export async function freePort(): Promise<number> {
  // The host's own range is refused as a service port (issue 13): never hand one out.
  for (;;) {
    const port = await anyFreePort();
    if (!DEFAULT_HOST_PORTS.includes(port)) return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function runEntry(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [codeServerEntry, ...args], { env, timeout: 180_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error) reject(new Error(`code-server ${args.join(' ')} failed: ${error.message}\n${output}`));
      else resolve(output);
    });
  });
}

/** Installs a .vsix offline into an extensions folder. */
export async function installVsix(vsix: string, extensionsDir: string, userDataDir: string, env = process.env): Promise<void> {
  const output = await runEntry(
    ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
    env,
  );
  if (!/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} did not report success:\n${output}`);
  }
}

async function waitUntilAnswering(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering:\n${log()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  assertCodeServerInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'manito-code-server-'));
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(options.workspaceTrust ? TRUST_SETTINGS : {}), ...options.settings }, null, 2),
  );
  const env = { ...process.env, ...options.env, [MARKER]: dir };
  try {
    for (const vsix of options.vsix ?? []) await installVsix(vsix, extensionsDir, userDataDir, env);
    options.afterInstall?.({ extensionsDir, userDataDir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  // A free port can be taken between the probe and the bind: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = '';
    const child = spawn(
      process.execPath,
      [
        codeServerEntry,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override',
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
        ...(options.args ?? []),
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d) => { output += d; });
    child.stderr!.on('data', (d) => { output += d; });
    const log = () => output;
    try {
      await waitUntilAnswering(url, child, log, options.startTimeoutMs ?? 90_000);
    } catch (error) {
      lastError = error;
      await killTree(child.pid!);
      await killMarked(MARKER, dir);
      if (/EADDRINUSE/.test(output)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      dir,
      userDataDir,
      extensionsDir,
      installedExtensionPath(id: string) {
        const prefix = `${id.toLowerCase()}-`;
        const found = readdirSync(extensionsDir).find((name) => name.toLowerCase().startsWith(prefix));
        if (!found) throw new Error(`extension ${id} is not installed in ${extensionsDir}`);
        return join(extensionsDir, found);
      },
      log,
      stop() {
        stopped ??= (async () => {
          if (child.pid) await killTree(child.pid);
          await killMarked(MARKER, dir);
          keepLogs(userDataDir);
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** MANITO_KEEP_EDITOR_LOGS=<dir>: the workbench's logs (extension host, window, Manito's output) are
 *  copied there before the session's folder is removed, to read what the editor saw in a failed run. */
function keepLogs(userDataDir: string): void {
  const keep = process.env.MANITO_KEEP_EDITOR_LOGS;
  if (!keep) return;
  try {
    cpSync(join(userDataDir, 'logs'), join(keep, `${Date.now()}-${process.pid}`), { recursive: true });
  } catch {
    // No logs written yet.
  }
}
