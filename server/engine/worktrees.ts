// Tells whether two workspaces are worktrees of one git repository, and names the other one the
// way its user knows it: "worktree ../app-feature (branch feature)". Read from the files git
// itself keeps (a linked worktree's `.git` file points at its gitdir, whose `commondir` points at
// the shared repository; HEAD names the branch), so no git binary is run.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WorktreeInfo {
  /** The worktree's top folder (the one holding `.git`). */
  top: string;
  /** This worktree's own git dir (`.git` itself, or `.git/worktrees/<name>` of the main one). */
  gitDir: string;
  /** The repository every worktree of it shares. */
  commonDir: string;
  /** "branch feature", or "detached at 1a2b3c4" */
  head: string | undefined;
}

/** The worktree `dir` is in (looking up from it), or undefined outside git or on anything unreadable. */
export function worktreeOf(dir: string): WorktreeInfo | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const info = atTop(at);
    if (info !== null) return info;
    if (path.dirname(at) === at) return undefined;
  }
}

/** null: no `.git` here, look further up; undefined: a `.git` that is not one we can read. */
function atTop(top: string): WorktreeInfo | undefined | null {
  const dotGit = path.join(top, '.git');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dotGit);
  } catch {
    return null;
  }
  try {
    if (stat.isDirectory()) return { top, gitDir: dotGit, commonDir: real(dotGit), head: headOf(dotGit) };
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    if (!pointer) return undefined;
    const gitDir = path.resolve(top, pointer[1]);
    let common = gitDir;
    try {
      common = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
    } catch {
      // A submodule's gitdir has no commondir: it is its own repository.
    }
    return { top, gitDir, commonDir: real(common), head: headOf(gitDir) };
  } catch {
    return undefined;
  }
}

function headOf(gitDir: string): string | undefined {
  try {
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
    if (ref) return `branch ${ref[1]}`;
    return /^[0-9a-f]{7,}$/.test(head) ? `detached at ${head.slice(0, 7)}` : undefined;
  } catch {
    return undefined;
  }
}

function real(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * For explanations seen from `self`: another workspace that is a worktree of the same repository
 * is named by its path relative to `self` and its branch; any other gets undefined (shown as its path).
 */
export function worktreeNamer(self: string): (other: string) => string | undefined {
  // Looked up at the first naming, not at construction: most engines never name another workspace.
  let mine: WorktreeInfo | undefined | null = null;
  return (other) => {
    if (path.resolve(other) === path.resolve(self)) return undefined;
    if (mine === null) mine = worktreeOf(self);
    if (!mine) return undefined;
    const theirs = worktreeOf(other);
    if (!theirs || theirs.commonDir !== mine.commonDir) return undefined;
    const where = path.relative(self, other) || '.';
    return `worktree ${where}${theirs.head ? ` (${theirs.head})` : ''}`;
  };
}
