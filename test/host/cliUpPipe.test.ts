// `manito up | head -3`: the reader goes while the stack starts or runs. up must stop the stack as
// Ctrl-C would (no service, lease or discovery file left), not exit and leave it to chance.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { isAlive } from '../../server/launch/processTree';
import { freePorts, makeWorkspace, type Workspace } from './support/hostProcess';
import { CLI_JS, hostFiles, leases } from './cliSupport';

// Each service notes its pid (the test's proof of what ran) and talks, so up keeps writing.
const SERVICE_JS = `require('fs').appendFileSync('pids.txt', process.pid + '\\n');
require('http').createServer((q, s) => s.end('ok')).listen(+process.env.PORT, '127.0.0.1', () => console.log(process.argv[2] + ' ready'));
setInterval(() => console.log(process.argv[2] + ' tick'), 50);`;

let ws: Workspace | undefined;
afterEach(() => { ws?.cleanup(); ws = undefined; });

async function chattyStack(): Promise<Workspace> {
  const [hostPort, apiPort, webPort] = await freePorts(3);
  const w = makeWorkspace({
    host: { ports: [hostPort!] },
    services: {
      api: { preferred: [apiPort!], command: 'node service.js api', kind: 'http', health: { type: 'http', path: '/', intervalMs: 100 } },
      web: { preferred: [webPort!], command: 'node service.js web', dependsOn: ['api'], kind: 'http' },
    },
  });
  fs.writeFileSync(path.join(w.dir, 'service.js'), SERVICE_JS);
  return w;
}

/** Runs `manito up <dir> | <reader>` in a real shell pipeline; resolves with up's exit code and what the reader printed. */
function upPipedTo(w: Workspace, reader: string, command = 'up'): Promise<{ upCode: number; printed: string }> {
  const script = `"$0" "$1" ${command} "$2" | ${reader}; exit \${PIPESTATUS[0]}`;
  const child = spawn('bash', ['-c', script, process.execPath, CLI_JS, w.dir], { env: w.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let printed = '';
  child.stdout.on('data', (c) => { printed += c; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ upCode: code ?? -1, printed })));
}

function servicePids(w: Workspace): number[] {
  const file = path.join(w.dir, 'pids.txt');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
}

test('manito up | head -3: the reader goes while the host starts; up exits 0 with nothing started and nothing held', async () => {
  ws = await chattyStack();
  const { upCode, printed } = await upPipedTo(ws, 'head -3');
  assert.equal(upCode, 0);
  assert.equal(printed.split('\n').filter(Boolean).length, 3);
  for (const pid of servicePids(ws)) assert.equal(isAlive(pid), false, `service pid ${pid} survived`);
  assert.deepEqual(leases(ws.stateDir), []);
  assert.deepEqual(hostFiles(ws.stateDir), []);
});

test('the reader goes once both services run: up stops the stack (every pid gone), releases the leases and exits 0', async () => {
  ws = await chattyStack();
  // sed prints up to the line that says web started, then quits: the pipe closes with the stack up.
  const { upCode, printed } = await upPipedTo(ws, `sed '/Started web/q'`);
  assert.equal(upCode, 0);
  assert.match(printed, /Started web \(process, pid \d+\): node service\.js web\n$/);
  // The pids up printed are the servers' own (each shell execs its command); web may not have noted its own yet.
  const started = [...printed.matchAll(/Started (?:api|web) \(process, pid (\d+)\)/g)].map((m) => Number(m[1]));
  assert.equal(started.length, 2, printed);
  const pids = [...new Set([...started, ...servicePids(ws)])];
  // up has exited (the pipeline is over): its stop, not its reaper, ended them.
  for (const pid of pids) assert.equal(isAlive(pid), false, `service pid ${pid} survived`);
  assert.deepEqual(leases(ws.stateDir), []);
  assert.deepEqual(hostFiles(ws.stateDir), []);
});

test('manito host | head -2: the host stops as on Ctrl-C, releasing its leases and its discovery file', async () => {
  ws = await chattyStack();
  const { upCode, printed } = await upPipedTo(ws, 'head -2', 'host');
  assert.equal(upCode, 0);
  assert.equal(printed.split('\n').filter(Boolean).length, 2);
  assert.deepEqual(leases(ws.stateDir), []);
  assert.deepEqual(hostFiles(ws.stateDir), []);
});
