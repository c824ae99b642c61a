// The editor tier's entry point: one session = the .vsix (built once per source change), a
// code-server with it installed, and a headless Chromium. Each editor test file opens one in
// `before` and closes it in `after` (useEditorSession).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, Workbench, type OpenWorkbenchOptions } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { runExtensionHostSuite, type RunSuiteOptions, type SuiteResult } from './extensionHostSuite';
import { ensureVsix } from './vsix';

export { launchBrowser, Workbench, UI_TIMEOUT_MS, type StatusBarItem } from './browser';
export { startCodeServer, assertCodeServerInstalled, type CodeServer } from './codeServer';
export { runExtensionHostSuite, buildSuite, type SuiteResult } from './extensionHostSuite';
export { ensureVsix, listZip, readZipEntry } from './vsix';
export { liveHost, hostGet, hostPost, portAnswers, until } from './hostRecord';

export interface EditorSessionOptions {
  /** Extra user settings for the workbench. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server, its extension host and the Manito host it starts. */
  env?: NodeJS.ProcessEnv;
  /** Workspace trust on, as VS Code ships it: opened folders start untrusted (see CodeServerOptions). */
  workspaceTrust?: boolean;
  /** Extra code-server arguments (see CodeServerOptions.args). */
  args?: string[];
  /** More .vsix files to install beside Manito's (built on demand, e.g. a language pack). */
  extraVsix?: () => Promise<string[]>;
  /** Runs once the extensions are installed, before the server starts, e.g. to add a locale. */
  prepareInstall?: (dirs: { extensionsDir: string; userDataDir: string }) => void;
}

export interface EditorSession {
  readonly vsix: string;
  readonly server: CodeServer;
  readonly browser: Browser;
  /** The MANITO_STATE_DIR every process of this session uses. */
  readonly stateDir: string;
  /** A new temp workspace folder holding `files` (relative path -> content); removed by close(). */
  workspace(files?: Record<string, string>): string;
  /** Opens the workbench on a folder in a fresh browser context. */
  openWorkbench(folder: string, options?: OpenWorkbenchOptions): Promise<Workbench>;
  /** Runs test/editor/suite/<suite>.ts in the extension host; see RunSuiteOptions. */
  runSuite(folder: string, options?: Omit<RunSuiteOptions, 'browser' | 'server' | 'folder'>): Promise<SuiteResult>;
  close(): Promise<void>;
}

/**
 * One session for the calling test file: started in `before`, closed in `after`. The returned
 * function gives it to a test; if it did not start (no Chromium, no code-server), `before` has
 * already failed the file with the reason.
 */
export function useEditorSession(options: EditorSessionOptions = {}): () => EditorSession {
  let session: EditorSession | undefined;
  before(async () => {
    session = await startEditorSession(options);
  }, { timeout: 300_000 });
  after(async () => {
    await session?.close();
  });
  return () => {
    assert.ok(session, 'the editor session did not start');
    return session;
  };
}

export async function startEditorSession(options: EditorSessionOptions = {}): Promise<EditorSession> {
  const vsix = await ensureVsix();
  const scratch = mkdtempSync(join(tmpdir(), 'manito-editor-'));
  const stateDir = join(scratch, 'state');
  mkdirSync(stateDir);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      vsix: [vsix, ...(await options.extraVsix?.() ?? [])],
      settings: options.settings,
      workspaceTrust: options.workspaceTrust,
      env: { MANITO_STATE_DIR: stateDir, ...options.env },
      args: options.args,
      afterInstall: options.prepareInstall,
    });
    browser = await launchBrowser();
  } catch (error) {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const openServer = server;
  const openBrowser = browser;
  let workspaces = 0;
  return {
    vsix,
    server: openServer,
    browser: openBrowser,
    stateDir,
    workspace(files = {}) {
      const folder = join(scratch, `workspace-${++workspaces}`);
      mkdirSync(folder);
      for (const [relative, content] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, relative)), { recursive: true });
        writeFileSync(join(folder, relative), content);
      }
      return folder;
    },
    openWorkbench(folder, workbenchOptions) {
      return Workbench.open(openBrowser, openServer, folder, workbenchOptions);
    },
    runSuite(folder, suiteOptions = {}) {
      return runExtensionHostSuite({ ...suiteOptions, browser: openBrowser, server: openServer, folder });
    },
    async close() {
      await openBrowser.close().catch(() => {});
      await openServer.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
