// Runs an extension-host suite (test/editor/suite/<name>.ts) inside code-server's real extension
// host: the suite is bundled to out/test/suite/<name>.js, the workbench is opened with a
// `payload` naming it as extensionTestsPath, and the workbench reports the suite's exit code
// through codeAutomationExit (and its console through codeAutomationLog).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { Workbench } from './browser';
import type { CodeServer } from './codeServer';
import { repoRoot, suiteOutDir } from './paths';

export interface SuiteResult {
  /** 0 when the suite's run() resolved; non-zero when it rejected or the host failed. */
  exitCode: number;
  /** The extension host's console, in order ("log: ...", "error: ..."). */
  logs: string[];
}

export interface RunSuiteOptions {
  browser: Browser;
  server: CodeServer;
  /** Workspace folder the workbench opens. */
  folder: string;
  /** Suite file name in test/editor/suite without extension; defaults to "index". */
  suite?: string;
  /** The extension under test: defaults to the installed manito.manito from the .vsix. */
  extensionDevelopmentPath?: string;
  /** Generous by default: the extension host and the suite share two busy cores. */
  timeoutMs?: number;
  /** Screenshot name saved when the suite fails or times out (test-results/screenshots). */
  screenshotOnFailure?: string;
}

/** Bundles test/editor/suite/<name>.ts to out/test/suite/<name>.js (`vscode` stays external). */
export async function buildSuite(name = 'index'): Promise<string> {
  const entry = join(repoRoot, 'test', 'editor', 'suite', `${name}.ts`);
  if (!existsSync(entry)) throw new Error(`no extension-host suite at ${entry}`);
  const outfile = join(suiteOutDir, `${name}.js`);
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}

function remoteUri(server: CodeServer, path: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${path}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export async function runExtensionHostSuite(options: RunSuiteOptions): Promise<SuiteResult> {
  const testsPath = await buildSuite(options.suite);
  const developmentPath = options.extensionDevelopmentPath ?? options.server.installedExtensionPath('manito.manito');
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remoteUri(options.server, developmentPath)],
    ['extensionTestsPath', remoteUri(options.server, testsPath)],
  ]);
  const logs: string[] = [];
  let settle!: (code: number) => void;
  const exited = new Promise<number>((resolve) => { settle = resolve; });
  const timeoutMs = options.timeoutMs ?? 180_000;
  const workbench = await Workbench.open(options.browser, options.server, options.folder, {
    query: { payload },
    beforeNavigate: async (page) => {
      await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
        const parts = Array.isArray(args) ? args.map(describe) : [describe(args)];
        logs.push(`${describe(type)}: ${parts.join(' ')}`);
      });
      await page.exposeFunction('codeAutomationExit', (code: unknown) => {
        settle(typeof code === 'number' ? code : 1);
      });
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        logs.push(`harness: the suite did not finish within ${timeoutMs} ms`);
        resolve(124);
      }, timeoutMs);
    });
    const exitCode = await Promise.race([exited, timedOut]);
    if (exitCode !== 0 && options.screenshotOnFailure) {
      await workbench.screenshot(options.screenshotOnFailure).catch(() => {});
    }
    return { exitCode, logs };
  } finally {
    clearTimeout(timer);
    await workbench.close();
  }
}
