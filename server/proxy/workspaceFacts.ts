// What a route name needs to know of a workspace folder beyond its leases: its folder name, the
// branch of a linked git worktree (read from `.git` -> gitdir -> HEAD, without running git), and
// its services' kinds from manito.json (read leniently: only names and kinds matter here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import { CONFIG_FILE_NAME, DEFAULT_STACK, SERVICE_KINDS, type ServiceKind, type StackConfig } from '../../protocol/config';
import type { WorkspaceFacts } from './routeNames';

/** Git's own small files; anything larger is not one. */
const GIT_FILE_MAX = 4096;
/** manito.json's size bound (D3). */
const CONFIG_MAX = 1024 * 1024;

export function readWorkspaceFacts(workspace: string): WorkspaceFacts {
  const worktree = linkedWorktree(workspace);
  return {
    name: worktree && worktree.root === workspace ? worktree.mainName : path.basename(workspace),
    ...(worktree ? { branch: worktree.branch } : {}),
    services: serviceKinds(workspace),
  };
}

interface LinkedWorktree {
  /** The worktree's top folder (where its `.git` file is). */
  root: string;
  /** The main checkout's folder name (or the bare repository's, without `.git`). */
  mainName: string;
  branch: string;
}

/**
 * The linked worktree the folder is in, or undefined for a main checkout, a submodule (its gitdir
 * has no `commondir`) or no repository at all. Every failure to read means "not a linked worktree".
 */
export function linkedWorktree(dir: string): LinkedWorktree | undefined {
  for (let at = path.resolve(dir), depth = 0; depth < 64; depth++) {
    const dotGit = path.join(at, '.git');
    const st = fs.lstatSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return undefined;
    if (st?.isFile()) return fromGitFile(at, dotGit);
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
  return undefined;
}

function fromGitFile(root: string, dotGit: string): LinkedWorktree | undefined {
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readSmall(dotGit) ?? '')?.[1];
  if (!pointer) return undefined;
  const gitDir = path.resolve(root, pointer);
  const common = readSmall(path.join(gitDir, 'commondir'))?.trim();
  if (!common) return undefined;
  const commonDir = path.resolve(gitDir, common);
  const head = readSmall(path.join(gitDir, 'HEAD'))?.trim() ?? '';
  const branch = /^ref:\s*refs\/heads\/(.+)$/.exec(head)?.[1] ?? path.basename(gitDir);
  const mainName = path.basename(commonDir) === '.git' ? path.basename(path.dirname(commonDir)) : path.basename(commonDir).replace(/\.git$/, '');
  return { root, mainName, branch };
}

function readSmall(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size <= GIT_FILE_MAX ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

const KINDS: ReadonlySet<string> = new Set(SERVICE_KINDS);

/**
 * The services of the workspace's manito.json in file order with their kinds (HTTP when unset, as
 * the host reads them); the default stack's when there is no file; undefined when it cannot be read.
 */
export function serviceKinds(workspace: string): WorkspaceFacts['services'] {
  const file = path.join(workspace, CONFIG_FILE_NAME);
  let stack: Partial<StackConfig> | undefined;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > CONFIG_MAX) return undefined;
    stack = parse(fs.readFileSync(file, 'utf8'), [], { allowTrailingComma: true }) as Partial<StackConfig> | undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    stack = DEFAULT_STACK;
  }
  const services = stack?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) return undefined;
  return Object.entries(services).map(([name, config]) => {
    const kind = (config as { kind?: unknown } | null)?.kind;
    return { name, kind: typeof kind === 'string' && KINDS.has(kind) ? (kind as ServiceKind) : 'http' };
  });
}
