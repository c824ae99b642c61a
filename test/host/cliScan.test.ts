// `manito scan` on the fixture project: the exact findings as clickable path:line:col, --json,
// and --write creating a manito.json the host accepts (never overwriting one without --force).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { validateStack } from '../../server/config/validateStack';
import { spawn } from 'node:child_process';
import { freePorts, ROOT } from './support/hostProcess';
import { runCli } from './cliSupport';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'scan-project');
const env = { ...process.env, NO_COLOR: '1' };

const EXPECTED = [
  '.env:2:1',
  '.env:3:19',
  'docker-compose.yml:5:10',
  'docker-compose.yml:9:9',
  'package.json:5:18',
  'server/index.js:8:8',
  'server/index.js:9:30',
  'web/api.ts:1:32',
  'web/vite.config.ts:5:5',
  'web/vite.config.ts:7:23',
];

/** The fixture copied to a temp folder, with the dependency and build folders a real project has. */
function fixtureCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-scan-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  for (const [rel, text] of [['node_modules/dep/index.js', 'server.listen(9999);'], ['dist/bundle.js', 'app.listen(8888);'], ['.git/hooks/x.sh', 'curl localhost:7777']]) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

test('finds every hard-coded port as path:line:col with what was found; skips node_modules, .git, dist and markdown', async (t) => {
  const copy = fixtureCopy();
  t.after(() => fs.rmSync(copy, { recursive: true, force: true }));
  const r = await runCli(['scan'], { env, cwd: copy });
  assert.equal(r.code, 0, r.stderr);
  const findings = r.stdout.split('\n').filter((l) => /^\S+:\d+:\d+ {2}/.test(l));
  assert.deepEqual(findings.map((l) => l.split('  ')[0]), EXPECTED);
  const text = findings.join('\n');
  assert.match(text, /^server\/index\.js:8:8 {2}listen\(3000\): hard-coded listen port/m);
  assert.match(text, /^web\/vite\.config\.ts:5:5 {2}vite server\.port 5173/m);
  assert.match(text, /^docker-compose\.yml:5:10 {2}docker-compose ports 5432 \(db\): use "\$\{MANITO_DB_PORT:-5432\}:<container port>"/m);
  assert.match(text, /^\.env:2:1 {2}\.env PORT=3000/m);
  assert.match(text, /^web\/api\.ts:1:32 {2}127\.0\.0\.1:3000: hard-coded URL/m);
  assert.match(text, /^package\.json:5:18 {2}--port 5173/m);
  assert.ok(!/node_modules|dist\/|\.git\/|README|9999|8888|7777/.test(r.stdout));
  // The inferred stack: each service with its port, kind, command and where it was inferred from.
  assert.match(r.stdout, /^Inferred stack \(4 services\):$/m);
  assert.match(r.stdout, /^ {2}client {2}5173 {3}vite {8}npx vite --port \$\{port\} --strictPort$/m);
  assert.match(r.stdout, /^ {10}from package\.json scripts\.dev \(Vite\)$/m);
  assert.match(r.stdout, /^ {10}after server {2}\(web\/api\.ts:1 127\.0\.0\.1:3000 points at server\)$/m);
  assert.match(r.stdout, /^ {2}server {2}3000 {3}http {8}npm start$/m);
  assert.match(r.stdout, /^ {10}port server\/index\.js:8 listen\(3000$/m);
  assert.match(r.stdout, /^ {2}db {6}5432 {3}postgres {4}postgres -p \$\{port\}$/m);
  assert.match(r.stdout, /^ {2}cache {3}6379 {3}redis {7}redis-server --port \$\{port\} --bind 127\.0\.0\.1 --save ''$/m);
  // From elsewhere, paths stay clickable relative to where the user stands.
  const fromRoot = await runCli(['scan', 'test/fixtures/scan-project'], { env, cwd: ROOT });
  assert.match(fromRoot.stdout, /^test\/fixtures\/scan-project\/server\/index\.js:8:8 {2}/m);
});

test('a folder with nothing to find says so in one line, and the count only when there is one', async (t) => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-scan-empty-'));
  t.after(() => fs.rmSync(empty, { recursive: true, force: true }));
  fs.writeFileSync(path.join(empty, 'index.js'), 'console.log("no port here");\n');
  const r = await runCli(['scan', empty], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'Nothing to infer a stack from: no package.json script, Python app, docker-compose service, Procfile or hard-coded port says what runs here.',
    'Without a manito.json the host serves its default stack.',
    '',
    `No hard-coded ports found in ${empty}.`,
    '',
  ].join('\n'));
  const found = await runCli(['scan', FIXTURE], { env });
  assert.match(found.stdout, new RegExp(`^${EXPECTED.length} findings in ${FIXTURE}$`, 'm'));
  assert.ok(!found.stdout.includes('No hard-coded ports'));
  // Nothing found: --write refuses to write a manito.json without a service.
  const write = await runCli(['scan', empty, '--write'], { env });
  assert.equal(write.code, 1);
  assert.match(write.stderr, /No service found in .*; not writing a manito\.json without one\./);
  assert.equal(fs.existsSync(path.join(empty, 'manito.json')), false);
});

test('a file skipped for its size is named, not passed over in silence; --json lists it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-scan-large-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'server.js'), 'app.listen(3000);\n');
  // A generated bundle over the 256 KiB a file may have: its listen(4000) is never seen.
  fs.writeFileSync(path.join(dir, 'bundle.js'), `app.listen(4000);\n${'//x\n'.repeat(70_000)}`);
  const r = await runCli(['scan', dir], { env, cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^server\.js:1:5 {2}listen\(3000\)/m);
  assert.match(r.stdout, /^! Skipped 1 file larger than 256 KiB \(not scanned\): bundle\.js$/m);
  const json = JSON.parse((await runCli(['scan', dir, '--json'], { env })).stdout) as { skippedTooLarge: string[] };
  assert.deepEqual(json.skippedTooLarge, ['bundle.js']);
});

test('--json gives the same findings as data, and the proposal', async () => {
  const r = await runCli(['scan', FIXTURE, '--json'], { env });
  assert.equal(r.code, 0);
  const body = JSON.parse(r.stdout);
  assert.equal(body.dir, FIXTURE);
  assert.deepEqual(body.findings.map((f: { path: string; line: number; column: number }) => `${f.path}:${f.line}:${f.column}`), EXPECTED);
  assert.deepEqual(body.findings.find((f: { kind: string }) => f.kind === 'listen'), {
    path: 'server/index.js', line: 8, column: 8, portColumn: 15, kind: 'listen', port: 3000, match: 'listen(3000',
    message: 'listen(3000): hard-coded listen port; read process.env.PORT',
  });
  assert.deepEqual(body.proposal.services.server, {
    preferred: [3000, 3001, 3002], kind: 'http', description: 'package.json scripts.start (Node.js)', command: 'npm start', health: { type: 'tcp' },
  });
  assert.equal(body.proposal.services.client.cwd, undefined);
  assert.equal(body.proposal.services.client.command, 'npx vite --port ${port} --strictPort');
  assert.deepEqual(body.proposal.services.client.dependsOn, ['server']);
  assert.deepEqual(body.proposal.services.client.env, { SERVER_URL: 'http://localhost:${ports.server}' });
  assert.deepEqual(body.inferred.provenance.server, { from: ['package.json scripts.start (Node.js)'], port: 'server/index.js:8 listen(3000', env: {}, dependsOn: {} });
  assert.equal(body.proposal.services.db.kind, 'postgres');
  assert.equal(body.proposal.services.cache.kind, 'redis');
  assert.equal(body.written, null);
});

test('--write creates a manito.json the host accepts; an existing one is kept unless --force', async () => {
  const dir = fixtureCopy();
  try {
    const target = path.join(dir, 'manito.json');
    const w = await runCli(['scan', dir, '--write'], { env });
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /✅ Wrote .*manito\.json/);
    const written = JSON.parse(fs.readFileSync(target, 'utf8'));
    assert.deepEqual(validateStack(written), []);
    assert.deepEqual(Object.keys(written.services), ['client', 'server', 'db', 'cache']);
    // Once there is one, scan does not advise a --write that would refuse.
    const again = await runCli(['scan', dir], { env });
    assert.match(again.stdout, /^manito\.json exists here and is what Manito serves; the stack above is only inferred, to compare \(`--write --force` replaces the file with it\)\.$/m);
    assert.doesNotMatch(again.stdout, /--write` to save it/);

    fs.writeFileSync(target, '{ "services": {} }\n');
    const refused = await runCli(['scan', dir, '--write'], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists; not overwriting it \(use --force\)/);
    assert.equal(fs.readFileSync(target, 'utf8'), '{ "services": {} }\n');
    const forced = await runCli(['scan', dir, '--write', '--force'], { env });
    assert.equal(forced.code, 0);
    assert.ok(JSON.parse(fs.readFileSync(target, 'utf8')).services.server);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // A folder that is not there is bad input, like a bad option: a usage error, as for every command.
  const missing = await runCli(['scan', '/nonexistent/folder'], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such folder: \/nonexistent\/folder/);
});

test('--fix shows the diff and writes nothing without a terminal to ask; --yes writes it, and the fixed server listens where Manito says', async () => {
  const dir = fixtureCopy();
  try {
    const before = fs.readFileSync(path.join(dir, 'server', 'index.js'), 'utf8');
    const shown = await runCli(['scan', dir, '--fix'], { env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^--- a\/server\/index\.js$/m);
    assert.match(shown.stdout, /^-server\.listen\(3000, \(\) => \{$/m);
    assert.match(shown.stdout, /^\+server\.listen\(Number\(process\.env\.MANITO_SERVER_PORT \?\? 3000\), \(\) => \{$/m);
    assert.match(shown.stdout, /^\+ {6}- "\$\{MANITO_DB_PORT:-5432\}:5432"$/m);
    assert.match(shown.stdout, /Not written: no terminal to ask \(run with --yes to apply \d+ edits in \d+ files\)\./);
    assert.equal(fs.readFileSync(path.join(dir, 'server', 'index.js'), 'utf8'), before);

    const applied = await runCli(['scan', dir, '--fix', '--yes'], { env });
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /✅ Rewrote \d+ edits in \d+ files\./);
    const fixed = fs.readFileSync(path.join(dir, 'server', 'index.js'), 'utf8');
    assert.match(fixed, /server\.listen\(Number\(process\.env\.MANITO_SERVER_PORT \?\? 3000\)/);
    // Run as Manito would: the server takes the port in MANITO_SERVER_PORT.
    const [port] = await freePorts(1);
    const child = spawn(process.execPath, ['-e', fixed], { cwd: '/', env: { ...env, MANITO_SERVER_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => { if (c.toString().includes(`API on http://localhost:${port}`)) resolve(); });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok');
    } finally {
      child.kill();
    }
    // Nothing left to fix in it; --fix and --json do not combine.
    const again = await runCli(['scan', dir, '--fix', '--yes'], { env });
    assert.doesNotMatch(again.stdout, /^--- a\//m);
    assert.match(again.stdout, /^Nothing to rewrite\.$/m);
    const both = await runCli(['scan', dir, '--fix', '--json'], { env });
    assert.equal(both.code, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
