// Workspace facts from real folders: a real repository and a real `git worktree add`, read without
// running git; manito.json kinds read leniently, the default stack's when there is no file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { linkedWorktree, readWorkspaceFacts, serviceKinds } from '../../../server/proxy/workspaceFacts';

let base: string;
let repo: string;
let worktree: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'manito-facts-')));
  repo = path.join(base, 'My Repo');
  worktree = path.join(base, 'repo-login');
  fs.mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'manito.json'), '{ // comments are fine\n "services": { "api": {}, "web": { "kind": "vite", }, "db": { "kind": "postgres" }, "odd": { "kind": "nope" } } }');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init');
  git(repo, 'worktree', 'add', '-q', '-b', 'feat/login', worktree);
});

after(() => fs.rmSync(base, { recursive: true, force: true }));

test('the main checkout is no linked worktree: its own folder name, no branch', () => {
  assert.equal(linkedWorktree(repo), undefined);
  assert.deepEqual(readWorkspaceFacts(repo).name, 'My Repo');
  assert.equal(readWorkspaceFacts(repo).branch, undefined);
});

test('a linked worktree: the main checkout\'s name and the branch from .git -> gitdir -> HEAD', () => {
  assert.deepEqual(linkedWorktree(worktree), { root: worktree, mainName: 'My Repo', branch: 'feat/login' });
  const facts = readWorkspaceFacts(worktree);
  assert.equal(facts.name, 'My Repo');
  assert.equal(facts.branch, 'feat/login');
  // A workspace in a subfolder of the worktree keeps its own folder name and the branch.
  const sub = path.join(worktree, 'apps', 'shop');
  fs.mkdirSync(sub, { recursive: true });
  assert.deepEqual({ ...readWorkspaceFacts(sub), services: undefined }, { name: 'shop', branch: 'feat/login', services: undefined });
});

test('a detached worktree is named by its worktree id; a checkout of another branch is seen at once', () => {
  const detached = path.join(base, 'detached');
  git(repo, 'worktree', 'add', '-q', '--detach', detached);
  assert.equal(readWorkspaceFacts(detached).branch, 'detached');
  git(worktree, 'checkout', '-q', '-b', 'other');
  assert.equal(readWorkspaceFacts(worktree).branch, 'other');
  git(worktree, 'checkout', '-q', 'feat/login');
});

test('a .git file that points nowhere, or a submodule\'s (no commondir), is not a linked worktree', () => {
  const broken = path.join(base, 'broken');
  fs.mkdirSync(broken);
  fs.writeFileSync(path.join(broken, '.git'), 'gitdir: /nonexistent/path\n');
  assert.equal(linkedWorktree(broken), undefined);
  const sub = path.join(base, 'sub');
  fs.mkdirSync(path.join(base, 'modules', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(base, 'modules', 'sub', 'HEAD'), 'ref: refs/heads/main\n');
  fs.mkdirSync(sub);
  fs.writeFileSync(path.join(sub, '.git'), 'gitdir: ../modules/sub\n');
  assert.equal(linkedWorktree(sub), undefined);
});

test('kinds come from manito.json in file order (HTTP when unset or unknown); the default stack without a file; none when unreadable', () => {
  assert.deepEqual(serviceKinds(repo), [{ name: 'api', kind: 'http' }, { name: 'web', kind: 'vite' }, { name: 'db', kind: 'postgres' }, { name: 'odd', kind: 'http' }]);
  const empty = path.join(base, 'empty');
  fs.mkdirSync(empty);
  assert.equal(serviceKinds(empty)?.find((s) => s.name === 'client')?.kind, 'vite');
  fs.writeFileSync(path.join(empty, 'manito.json'), '[1, 2');
  assert.equal(serviceKinds(empty), undefined);
  fs.writeFileSync(path.join(empty, 'manito.json'), ' '.repeat(1024 * 1024 + 1));
  assert.equal(serviceKinds(empty), undefined);
});
