// Two git worktrees of one repository, made with `git worktree add` in a temp dir, each served by
// its own real host (as two VS Code windows run them), sharing one lease registry: they never share
// a port, the second one's explanation names the worktree that holds the port it prefers, and
// after both close each gets the same ports back, whichever opens first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { StackSnapshot } from '../../protocol/model';
import { freePorts, getJson, startHeadless, type HostProcess, type Workspace } from './support/hostProcess';

let base: string;
let main: Workspace;
let feature: Workspace;
let p: number[];
const running: HostProcess[] = [];

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

function worktree(dir: string, stateDir: string): Workspace {
  return {
    dir, stateDir,
    env: { ...process.env, MANITO_STATE_DIR: stateDir, MANITO_PROXY: 'off', NO_COLOR: '1' },
    writeConfig: () => { throw new Error('the config comes from the repository'); },
    cleanup: () => undefined,
  };
}

before(async () => {
  p = await freePorts(6);
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'manito-worktrees-')));
  const repo = path.join(base, 'app');
  fs.mkdirSync(repo);
  fs.writeFileSync(path.join(repo, 'manito.json'), JSON.stringify({
    host: { ports: [p[5]] },
    services: { web: { preferred: [p[0], p[1], p[2]], kind: 'http' }, db: { preferred: [p[3]], kind: 'tcp' } },
  }, null, 2));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'stack');
  git(repo, 'worktree', 'add', '-q', '-b', 'feature', path.join(base, 'app-feature'));
  const state = path.join(base, 'state');
  fs.mkdirSync(state);
  main = worktree(repo, state);
  feature = worktree(path.join(base, 'app-feature'), state);
});

after(async () => {
  for (const h of running) await h.stop('SIGKILL');
  fs.rmSync(base, { recursive: true, force: true });
});

async function open(ws: Workspace): Promise<{ host: HostProcess; snapshot: StackSnapshot }> {
  const host = await startHeadless(ws);
  running.push(host);
  const { body } = await getJson(`${host.url}/api/snapshot`);
  return { host, snapshot: (body as { data: StackSnapshot }).data };
}

async function close(host: HostProcess): Promise<void> {
  assert.equal(await host.stop('SIGTERM'), 143);
}

const portsOf = (s: StackSnapshot) => Object.fromEntries(s.services.map((x) => [x.name, x.port]));
const explanation = (s: StackSnapshot, name: string) => s.services.find((x) => x.name === name)!.explanation;

test('two worktrees open at once never share a port; the second names the worktree holding its preferred port', async () => {
  const a = await open(main);
  const b = await open(feature);
  assert.deepEqual(portsOf(a.snapshot), { web: p[0], db: p[3] });
  assert.equal(portsOf(b.snapshot).web, p[1]);
  assert.notEqual(portsOf(b.snapshot).db, p[3]);
  assert.equal(explanation(b.snapshot, 'web'),
    `${p[0]} is held by worktree ../app (branch main) for web (Manito host pid ${a.host.child.pid}), assigned ${p[1]}`);
  assert.match(explanation(b.snapshot, 'db'), new RegExp(`^${p[3]} is held by worktree \\.\\./app \\(branch main\\) for db `));
  const holder = b.snapshot.services.find((x) => x.name === 'web')!;
  assert.equal(holder.reason, 'fallback');
  await close(b.host);
  await close(a.host);
  const remembered = JSON.parse(fs.readFileSync(path.join(main.stateDir, 'leases.json'), 'utf8')).remembered as Array<{ workspace: string; service: string; port: number }>;
  assert.deepEqual(remembered.map((m) => `${path.basename(m.workspace)}:${m.service}:${m.port}`).sort(),
    [`app-feature:db:${portsOf(b.snapshot).db}`, `app-feature:web:${p[1]}`, `app:db:${p[3]}`, `app:web:${p[0]}`]);
});

test('reopened in the other order, each worktree gets the same ports as before', async () => {
  const b = await open(feature);
  assert.equal(portsOf(b.snapshot).web, p[1], 'the feature worktree opened alone keeps its port, not the free first preferred one');
  assert.equal(explanation(b.snapshot, 'web'), `web keeps ${p[1]}, its port in this workspace last time`);
  const a = await open(main);
  assert.deepEqual(portsOf(a.snapshot), { web: p[0], db: p[3] });
  await close(a.host);
  await close(b.host);

  // And once more in the first order.
  const a2 = await open(main);
  const b2 = await open(feature);
  assert.deepEqual(portsOf(a2.snapshot), { web: p[0], db: p[3] });
  assert.deepEqual(portsOf(b2.snapshot), portsOf(b.snapshot));
  assert.match(explanation(b2.snapshot, 'web'), /held by worktree \.\.\/app \(branch main\) for web/);
  await close(b2.host);
  await close(a2.host);
});
