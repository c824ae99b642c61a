// The built CLI against a real headless host: --help and exit codes, `status` with and without a
// host (discovery file, dead pids, port scan), `ports`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePorts, makeWorkspace, startHeadless, type HostProcess, type Workspace } from './support/hostProcess';
import { hostFiles, leases, runCli, startCli } from './cliSupport';

const COMMANDS = ['status', 'ports', 'up', 'down', 'move-back', 'host', 'scan'];

test('--help on every command (exit 0); unknown command and bad options are usage errors (exit 2)', async () => {
  const env = { ...process.env, NO_COLOR: '1' };
  const top = await runCli(['--help'], { env });
  assert.equal(top.code, 0);
  for (const name of COMMANDS) assert.match(top.stdout, new RegExp(`^  ${name} `, 'm'));
  for (const name of COMMANDS) {
    const r = await runCli([name, '--help'], { env });
    assert.equal(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`^Usage: manito ${name}`), name);
    assert.ok(!r.stdout.includes('\x1b['), 'no colour when not a TTY');
  }
  const unknown = await runCli(['frobnicate'], { env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  // Option errors read like the CLI's other usage errors: lower-case, the option in double quotes.
  const bogus = await runCli(['status', '--bogus'], { env });
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /^manito status: unknown option "--bogus"\nUsage: manito status /);
  const short = await runCli(['scan', '-x'], { env });
  assert.equal(short.code, 2);
  assert.match(short.stderr, /^manito scan: unknown option "-x"\n/);
  const noValue = await runCli(['up', '--port'], { env });
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /^manito up: --port expects a value\n/);
  const flagValue = await runCli(['scan', '--json=yes'], { env });
  assert.equal(flagValue.code, 2);
  assert.match(flagValue.stderr, /^manito scan: --json takes no value\n/);
  assert.equal((await runCli(['status', 'a', 'b'], { env })).code, 2);
  const notNumber = await runCli(['up', '--port', 'abc'], { env });
  assert.equal(notNumber.code, 2);
  assert.match(notNumber.stderr, /^manito up: --port expects a number, got "abc"\n/);
  // Out of range: a usage error, not a host quietly started on some other port.
  for (const port of ['99999', '0', '65536']) {
    const outOfRange = await runCli(['up', '--port', port], { env });
    assert.equal(outOfRange.code, 2, port);
    assert.match(outOfRange.stderr, new RegExp(`^manito up: --port expects a TCP port from 1 to 65535, got ${port}\nUsage: manito up `), port);
    assert.equal(outOfRange.stdout, '', port);
  }
  // A check only the command makes is a usage error too, with the usage line.
  const noService = await runCli(['move-back'], { env });
  assert.equal(noService.code, 2);
  assert.match(noService.stderr, /^manito move-back: missing the service to move back, e\.g\. `manito move-back api`\nUsage: manito move-back <service> /);
  assert.equal((await runCli([], { env })).code, 2);
  for (const name of ['up', 'host', 'scan', 'status']) {
    const missing = await runCli([name, '/nonexistent/stack'], { env });
    assert.equal(missing.code, 2, `${name} on a missing folder`);
    assert.match(missing.stderr, /no such folder: \/nonexistent\/stack/, name);
  }
});

describe('status without a host', () => {
  let ws: Workspace;
  before(() => { ws = makeWorkspace(); });
  after(() => ws.cleanup());

  test('exit 1 with a clear message; a discovery file of a dead pid is ignored; --json says found: false', async () => {
    const [scanA, scanB] = await freePorts(2);
    // A record left by a host that died: its pid no longer exists.
    fs.mkdirSync(path.join(ws.stateDir, 'hosts'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(ws.stateDir, 'hosts', '999999.json'), JSON.stringify({
      version: 1, pid: 999999, port: scanA, url: `http://127.0.0.1:${scanA}`, workspace: ws.dir, token: 't', startedAt: new Date().toISOString(),
    }), { mode: 0o600 });
    const env = { ...ws.env, MANITO_SCAN_PORTS: `${scanA},${scanB}` };
    const r = await runCli(['status'], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    // The dead pid's record is dropped without a word: only what was distrusted gets a line.
    assert.match(r.stderr, /^✖ No Manito host found: no live discovery record of yours in .* whose host proves it wrote it \(ports \d+, \d+ were looked at only to name what was ignored\)\. Start one with `manito up`/);
    const j = await runCli(['status', '--json'], { env });
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stdout).found, false);
    const p = await runCli(['ports'], { env });
    assert.equal(p.code, 1);
  });
});

describe('status and ports against a real host', () => {
  let ws: Workspace;
  let host: HostProcess;
  let ports: number[];
  let squatter: net.Server;
  before(async () => {
    ports = await freePorts(5);
    // A foreign process holds db's first choice: db gets its second (still "preferred": it is in its list).
    squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(ports[3], '127.0.0.1', r));
    ws = makeWorkspace({
      host: { ports: [ports[0]!] },
      services: {
        api: { preferred: [ports[1]!], kind: 'http' },
        web: { preferred: [ports[2]!], kind: 'vite' },
        db: { preferred: [ports[3]!, ports[4]!], kind: 'tcp' },
      },
    });
    host = await startHeadless(ws);
    await host.waitForOutput(/Proxy: serving/);
  });
  after(async () => {
    await host.stop();
    squatter.close();
    ws.cleanup();
  });

  test('finds the host through its discovery file: the ✅ line, then each service with port, reason and health', async () => {
    const r = await runCli(['status', ws.dir], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `✅ Manito host detected on port ${ports[0]}`);
    assert.match(lines[1]!, new RegExp(`${ws.dir.replace(/[/.]/g, '\\$&')} \\(pid ${host.child.pid}, found by discovery file\\)`));
    assert.equal(lines[2], `   development environment · minimal strategy · ${path.join(ws.dir, 'manito.json')}`);
    assert.match(r.stdout, /SERVICE\s+PORT\s+REASON\s+HEALTH\s+URL/);
    // Web services show their named URL (it survives port moves); a TCP service its port's URL.
    assert.match(r.stdout, new RegExp(`^\\s+api\\s+${ports[1]}\\s+preferred\\s+(stopped|unhealthy|starting)\\s+http://api\\.[a-z0-9-]+\\.localhost:\\d+$`, 'm'));
    assert.match(r.stdout, new RegExp(`^\\s+web\\s+${ports[2]}\\s+preferred\\s+(stopped|unhealthy|starting)\\s+http://web\\.[a-z0-9-]+\\.localhost:\\d+$`, 'm'));
    // db's first preferred port is held, so its second one is a fallback.
    assert.match(r.stdout, new RegExp(`^\\s+db\\s+${ports[4]}\\s+fallback\\s+\\w+\\s+tcp://localhost:${ports[4]}$`, 'm'));
    // The move is explained under the table.
    assert.match(r.stdout, new RegExp(`^   db: .*${ports[3]}.*${ports[4]}`, 'm'));
    assert.ok(!r.stdout.includes('\x1b['));
  });

  test('from a folder the host does not serve: ports refuses, status shows the host but says whose it is', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-elsewhere-'));
    try {
      const r = await runCli(['ports'], { env: ws.env, cwd: elsewhere });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`no Manito host serves ${elsewhere.replace(/[/.]/g, '\\$&')} \\(running hosts serve ${ws.dir.replace(/[/.]/g, '\\$&')}; their ports belong to those folders\\)`));
      const j = await runCli(['ports', elsewhere, '--json'], { env: ws.env });
      assert.equal(j.code, 1);
      assert.equal(JSON.parse(j.stdout).success, false);
      // A folder under the workspace is served by its host.
      fs.mkdirSync(path.join(ws.dir, 'sub', 'dir'), { recursive: true });
      const inside = await runCli(['ports', path.join(ws.dir, 'sub', 'dir'), '--json'], { env: ws.env });
      assert.equal(inside.code, 0, inside.stderr);
      assert.equal(JSON.parse(inside.stdout).data.api, ports[1]);

      const s = await runCli(['status', elsewhere], { env: ws.env });
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, new RegExp(`no host serves ${elsewhere.replace(/[/.]/g, '\\$&')}: these are the ports of ${ws.dir.replace(/[/.]/g, '\\$&')}, not this folder's`));
      assert.equal(JSON.parse((await runCli(['status', elsewhere, '--json'], { env: ws.env })).stdout).serves, false);
      assert.equal(JSON.parse((await runCli(['status', ws.dir, '--json'], { env: ws.env })).stdout).serves, true);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('--json carries the host and every service', async () => {
    const r = await runCli(['status', '--json'], { env: ws.env, cwd: ws.dir });
    assert.equal(r.code, 0);
    const body = JSON.parse(r.stdout);
    assert.equal(body.found, true);
    assert.deepEqual({ port: body.host.port, source: body.host.source, pid: body.host.pid }, { port: ports[0], source: 'discovery', pid: host.child.pid });
    assert.deepEqual([body.environment, body.strategy, body.config], ['development', 'minimal', path.join(ws.dir, 'manito.json')]);
    assert.equal(body.services.api.port, ports[1]);
    assert.equal(body.services.api.reason, 'preferred');
    assert.equal(body.services.db.port, ports[4]);
    assert.match(body.services.db.explanation, new RegExp(`${ports[3]}`));
  });

  test('without a discovery file, the /api/health scan never stands in for one: it only names the Manito host it ignores', async () => {
    const hidden = path.join(ws.stateDir, 'hidden');
    fs.mkdirSync(hidden, { recursive: true });
    const file = path.join(ws.stateDir, 'hosts', `${host.child.pid}.json`);
    fs.renameSync(file, path.join(hidden, 'record.json'));
    // Another app answering /api/health on a scanned port is not a Manito host, and not named.
    const [otherPort] = await freePorts(1);
    const other = http.createServer((_q, s) => s.end(JSON.stringify({ status: 'ok', service: 'Other' })));
    await new Promise<void>((r) => other.listen(otherPort, '127.0.0.1', r));
    try {
      const r = await runCli(['status', '--json'], { env: { ...ws.env, MANITO_SCAN_PORTS: `${otherPort},${ports[1]},${ports[0]}` } });
      assert.equal(r.code, 1, r.stdout);
      assert.equal(JSON.parse(r.stdout).found, false);
      assert.match(r.stderr, new RegExp(`Ignoring a server on 127\\.0\\.0\\.1:${ports[0]} that says it is a Manito host \\(pid ${host.child.pid}\\): no discovery record of yours names it`));
      assert.doesNotMatch(r.stderr, new RegExp(`:${otherPort} `));
    } finally {
      other.close();
      fs.renameSync(path.join(hidden, 'record.json'), file);
    }
  });

  test('ports --json is the /api/ports body; plain output lists service, port, URL', async () => {
    const r = await runCli(['ports', '--json', ws.dir], { env: ws.env });
    assert.equal(r.code, 0, r.stderr);
    const direct = await (await fetch(`${host.url}/api/ports`)).json();
    assert.deepEqual(JSON.parse(r.stdout), direct);
    assert.equal(JSON.parse(r.stdout).data.api, ports[1]);
    const plain = await runCli(['ports', ws.dir], { env: ws.env });
    assert.match(plain.stdout, new RegExp(`^api\\s+${ports[1]}\\s+http://localhost:${ports[1]}$`, 'm'));
  });
});

test('manito host [dir] runs the host headless; up/down attach to it; Ctrl-C removes its discovery file and leases', async () => {
  const [hostPort, apiPort] = await freePorts(2);
  const w = makeWorkspace({ host: { ports: [hostPort!] }, services: { api: { preferred: [apiPort!], command: 'sleep 30' } } });
  try {
    const host = startCli(['host', w.dir], { env: w.env });
    await host.waitFor(`Manito host listening on http://127.0.0.1:${hostPort}`);
    const r = await runCli(['status', w.dir], { env: w.env });
    assert.match(r.stdout, new RegExp(`^✅ Manito host detected on port ${hostPort}$`, 'm'));
    assert.equal(hostFiles(w.stateDir).length, 1);
    // A host already serves the folder: `up` asks it to start the stack rather than running a second one.
    const up = await runCli(['up', w.dir], { env: w.env });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /already serves .*; asking it to start the stack\.\n✅ Started api\./);
    const down = await runCli(['down', w.dir, '--json'], { env: w.env });
    assert.deepEqual(JSON.parse(down.stdout), { ok: true, message: 'Stopped api.' });
    host.child.kill('SIGINT');
    await host.exit;
    assert.deepEqual(hostFiles(w.stateDir), []);
    assert.deepEqual(leases(w.stateDir), []);
  } finally {
    w.cleanup();
  }
});
