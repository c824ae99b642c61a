// Real repositories of the corpus started as a new user would: a temporary copy of the snapshot,
// its npm dependencies installed from the registry, `manito scan --fix --yes` where the code
// hard-codes another service's port, then `manito up` with no manito.json while foreign processes
// hold every port the repository usually takes. The app must answer through its own client's port
// (a Vite proxy or CRA's reaching the API, a Next.js page), never the foreign process. Skips, saying why,
// where no snapshot is on the machine (CI has none); nothing of the repositories is kept here.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { onPath } from '../../server/infer/toolsOnPath';
import { checkout, corpusRepos, removeCheckouts, snapshotOf, type CorpusRepo } from '../unit/infer/corpusRepos';
import { runCli, startCli, type CliProcess } from './cliSupport';
import { exitOf } from './support/hostProcess';

interface Case {
  folder: string;
  /** Rewrite hard-coded ports first (a Vite proxy to `localhost:5000`). */
  fix: boolean;
  /** The service a person opens, and what it must answer there. */
  client: string;
  path: string;
  answers: (status: number, body: string, headers: Headers) => boolean;
  what: string;
  /** Commands the stack runs that npm does not install (`flask`: scripts/install-system-packages.sh --tests). */
  tools?: string[];
}

const CASES: Case[] = [
  {
    folder: 'mern-chat-app', fix: true, client: 'frontend', path: '/api/users', what: 'the Express API\'s 401 through the Vite proxy',
    answers: (status, body) => status === 401 && /No Token Provided/.test(body),
  },
  {
    // CRA's package.json "proxy" names localhost:5000: scan --fix writes src/setupProxy.js reading MANITO_API_PORT.
    folder: 'react-flask-app', fix: true, client: 'client', path: '/api/time', what: 'the Flask API\'s time through CRA\'s proxy',
    answers: (status, body) => status === 200 && /"time":\s*\d/.test(body), tools: ['flask'],
  },
  {
    folder: 'redis-chat-app', fix: false, client: 'redis-chat-app', path: '/', what: 'a page from Next.js',
    answers: (_status, _body, headers) => headers.get('x-powered-by') === 'Next.js',
  },
];

const FOREIGN = "const p=+process.argv[1];require('http').createServer((q,s)=>s.end('foreign '+p)).listen(p,()=>console.log('holding '+p))";
const children: ChildProcess[] = [];
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-corpus-up-'));

/** Ends what a test started, whatever happened: `manito up` first (it stops its services), then the rest. */
async function endChildren(): Promise<void> {
  const live = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  for (const c of children.splice(0).reverse()) {
    if (!live(c)) continue;
    c.kill(c.spawnargs.includes('up') ? 'SIGINT' : 'SIGKILL');
    await exitOf(c);
  }
}

after(async () => {
  await endChildren();
  removeCheckouts();
  fs.rmSync(temp, { recursive: true, force: true });
});

function holdPort(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', FOREIGN, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => { if (String(c).includes(`holding ${port}`)) resolve(child); });
    child.once('exit', (code) => reject(new Error(`the foreign process on ${port} exited (${code})`)));
  });
}

function npmInstall(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c) => { out += c; });
    child.stderr!.on('data', (c) => { out += c; });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install in ${dir} exited ${code}:\n${out}`))));
  });
}

async function answer(url: string): Promise<{ status: number; body: string; headers: Headers } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'manual' });
    return { status: res.status, body: await res.text(), headers: res.headers };
  } catch {
    return undefined;
  }
}

for (const c of CASES) {
  test(`${c.folder}: manito up on the inferred stack, usual ports held, answers through ${c.client}`, { timeout: 1_200_000 }, async (t) => {
    const repo = corpusRepos().find((r) => r.folder === c.folder) as CorpusRepo;
    const dir = checkout(repo);
    if (dir === null) {
      const reason = `no snapshot of ${repo.repo} at ${snapshotOf(repo.repo)} (fetch it, or set MANITO_CORPUS_MIRROR)`;
      console.log(`skipped: ${reason}`);
      t.skip(reason);
      return;
    }
    const missing = (c.tools ?? []).filter((tool) => !onPath(tool));
    if (missing.length) {
      const reason = `${missing.join(', ')} not on PATH (scripts/install-system-packages.sh --tests installs it)`;
      console.log(`skipped: ${reason}`);
      t.skip(reason);
      return;
    }
    try {
      await startAndReach(c, dir, repo);
    } finally {
      await endChildren();
    }
  });
}

async function startAndReach(c: Case, dir: string, repo: CorpusRepo): Promise<void> {
  const stack = repo.expected.stack;
  // Dependencies of every folder a service runs in, from the registry.
  const dirs = [...new Set(Object.values(stack).filter((s) => s.command).map((s) => s.cwd ?? ''))]
    .filter((d) => fs.existsSync(path.join(dir, d, 'package.json')));
  for (const d of dirs) await npmInstall(path.join(dir, d));

  const held = new Map<string, number>(Object.entries(stack).map(([name, s]) => [name, s.port]));
  for (const port of new Set(held.values())) await holdPort(port);

  const stateDir = fs.mkdtempSync(path.join(temp, 'state-'));
  const env = { ...process.env, MANITO_STATE_DIR: stateDir, NO_COLOR: '1', MANITO_PROXY: 'off' };
  if (c.fix) {
    const fixed = await runCli(['scan', dir, '--fix', '--yes'], { env, timeoutMs: 60_000 });
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stdout, /✅ Rewrote \d+ edits? in \d+ files?/);
  }
  assert.equal(fs.existsSync(path.join(dir, 'manito.json')), false, 'no manito.json: the stack is inferred');

  const up: CliProcess = startCli(['up', dir], { env, cwd: dir });
  children.push(up.child);
  await up.waitFor('Dynamic port configuration complete', 60_000);
  const line = new RegExp(`✅ ${c.client}: port (\\d+)`).exec(up.output());
  assert.ok(line, up.output());
  const clientPort = Number(line[1]);
  assert.notEqual(clientPort, held.get(c.client), `${c.client} was moved off its usual port ${held.get(c.client)}, which a foreign process holds`);
  assert.match(up.output(), /No \S*manito\.json; serving the stack inferred from /);

  let last: Awaited<ReturnType<typeof answer>>;
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    last = await answer(`http://localhost:${clientPort}${c.path}`);
    if (last && c.answers(last.status, last.body, last.headers)) break;
    if (up.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(last && c.answers(last.status, last.body, last.headers),
    `${c.client} on ${clientPort}${c.path} did not give ${c.what}; last: ${JSON.stringify(last && { status: last.status, body: last.body.slice(0, 300) })}\n${up.output().slice(-4000)}`);
  // The foreign processes still hold the usual ports: the app took others.
  for (const port of new Set(held.values())) assert.match((await answer(`http://127.0.0.1:${port}/`))?.body ?? '', new RegExp(`^foreign ${port}$`));

  up.child.kill('SIGINT');
  assert.equal(await up.exit, 0, up.output().slice(-3000));
  assert.match(up.output(), /stopped; no service left running/);
}
