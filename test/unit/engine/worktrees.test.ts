// Naming another worktree of the same repository from git's own files: real repositories and
// worktrees made by `git worktree add` in a temp dir, a copy with its own .git, and a plain folder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { worktreeNamer, worktreeOf } from '../../../server/engine/worktrees';

let base: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).toString().trim();

before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'manito-worktrees-')));
  fs.mkdirSync(path.join(base, 'app'));
  git(path.join(base, 'app'), 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(base, 'app', 'a.txt'), 'a');
  git(path.join(base, 'app'), 'add', '.');
  git(path.join(base, 'app'), 'commit', '-q', '-m', 'one');
  git(path.join(base, 'app'), 'worktree', 'add', '-q', '-b', 'feature', path.join(base, 'app-feature'));
  git(path.join(base, 'app'), 'worktree', 'add', '-q', '--detach', path.join(base, 'app-detached'));
  fs.mkdirSync(path.join(base, 'copy'));
  git(path.join(base, 'copy'), 'init', '-q', '-b', 'main');
  fs.mkdirSync(path.join(base, 'plain'));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

test('a linked worktree shares its repository with the main one; HEAD gives the branch', () => {
  const main = worktreeOf(path.join(base, 'app'))!;
  const feature = worktreeOf(path.join(base, 'app-feature'))!;
  assert.equal(main.commonDir, feature.commonDir);
  assert.equal(main.head, 'branch main');
  assert.equal(feature.head, 'branch feature');
  assert.match(worktreeOf(path.join(base, 'app-detached'))!.head!, /^detached at [0-9a-f]{7}$/);
  fs.mkdirSync(path.join(base, 'app-feature', 'sub'), { recursive: true });
  assert.equal(worktreeOf(path.join(base, 'app-feature', 'sub'))!.top, path.join(base, 'app-feature'), 'found from a subfolder');
  assert.notEqual(worktreeOf(path.join(base, 'copy'))!.commonDir, main.commonDir);
});

test('the namer names worktrees of the same repository relative to this one, and nothing else', () => {
  const fromMain = worktreeNamer(path.join(base, 'app'));
  assert.equal(fromMain(path.join(base, 'app-feature')), 'worktree ../app-feature (branch feature)');
  const fromFeature = worktreeNamer(path.join(base, 'app-feature'));
  assert.equal(fromFeature(path.join(base, 'app')), 'worktree ../app (branch main)');
  assert.equal(fromFeature(path.join(base, 'app-feature')), undefined, 'itself');
  assert.equal(fromMain(path.join(base, 'copy')), undefined, 'a copy with its own repository is just a path');
  assert.equal(fromMain(path.join(base, 'plain')), undefined);
  assert.equal(fromMain('/does/not/exist'), undefined);
  assert.equal(worktreeNamer(path.join(base, 'plain'))(path.join(base, 'app')), undefined, 'outside git: no names');
  // A branch switched since: read at the time of the explanation.
  git(path.join(base, 'app-feature'), 'checkout', '-q', '-b', 'feature-2');
  assert.equal(fromMain(path.join(base, 'app-feature')), 'worktree ../app-feature (branch feature-2)');
});

test('a .git file that points nowhere readable is not a worktree, and does not throw', () => {
  const odd = path.join(base, 'odd');
  fs.mkdirSync(odd);
  fs.writeFileSync(path.join(odd, '.git'), 'not a pointer\n');
  assert.equal(worktreeOf(odd), undefined);
  fs.writeFileSync(path.join(odd, '.git'), 'gitdir: /nonexistent/dir\n');
  assert.equal(worktreeOf(odd)?.head, undefined);
});
