// Issue 12 rule 3: nothing Manito starts outlives its owner. A real stack (redis-server, a Vite dev
// server, a node server) is started by `manito up` and by a headless host; the owner is SIGKILLed
// (no handler runs) and every pid of the stack must be gone within 5 s.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { TOKEN_HEADER } from '../../protocol/http';
import { descendants, isAlive } from '../../server/launch/processTree';
import { freePorts, makeWorkspace, ROOT, startHeadless, until, type Workspace } from './support/hostProcess';
import { REDIS_SERVER } from './support/realServers';
import { runCli, startCli } from './cliSupport';

const NODE_JS = `require('http').createServer((q, s) => s.end('node ' + process.env.PORT))
  .listen(+process.env.PORT, '127.0.0.1', () => console.log('node ready on ' + process.env.PORT));`;

let ws: Workspace | undefined;
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  ws?.cleanup();
  ws = undefined;
});

async function stackWorkspace(): Promise<Workspace> {
  const [hostPort, redisPort, vitePort, nodePort] = await freePorts(4);
  const w = makeWorkspace({
    host: { ports: [hostPort!] },
    services: {
      redis: { preferred: [redisPort!], kind: 'redis', command: `${REDIS_SERVER} --port \${port} --bind 127.0.0.1 --save '' --appendonly no` },
      client: { preferred: [vitePort!], kind: 'vite', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'))} --port \${port} --strictPort --host 127.0.0.1` },
      api: { preferred: [nodePort!], kind: 'http', command: 'node api.js', dependsOn: ['redis'] },
    },
  });
  fs.writeFileSync(path.join(w.dir, 'api.js'), NODE_JS);
  fs.writeFileSync(path.join(w.dir, 'index.html'), '<!doctype html><title>client</title>');
  fs.writeFileSync(path.join(w.dir, 'vite.config.mjs'), `export default { cacheDir: ${JSON.stringify(path.join(w.dir, '.vite'))} };`);
  return w;
}

/** Every pid below the owner that runs one of the stack's servers, once all three listen. */
async function stackPids(ownerPid: number): Promise<number[]> {
  return until(() => {
    const pids = descendants(ownerPid);
    const commands = pids.map((pid) => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } });
    const has = (re: RegExp) => commands.some((c) => re.test(c));
    return has(/redis-server/) && has(/vite\.js/) && has(/api\.js/) ? pids : undefined;
  }, 60_000, 'redis-server, vite and the node server under the owner');
}

async function assertAllGone(pids: number[]): Promise<void> {
  leftovers.push(...pids);
  const alive = () => pids.filter(isAlive);
  const deadline = Date.now() + 5000;
  while (alive().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const left = alive().map((pid) => { try { return `${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`; } catch { return String(pid); } });
  assert.deepEqual(left, [], 'no process of the stack survives its owner by 5 s');
}

test('SIGKILL of `manito up`: redis-server, Vite and the node server are all gone within 5 s', async () => {
  ws = await stackWorkspace();
  const up = startCli(['up', ws.dir], { env: ws.env });
  await up.waitFor(/node ready on \d+/, 60_000);
  const pids = await stackPids(up.child.pid!);
  up.child.kill('SIGKILL');
  await up.exit;
  await assertAllGone(pids);
});

test('SIGKILL of a headless host that started the stack: no pid of it survives 5 s', async () => {
  ws = await stackWorkspace();
  const host = await startHeadless(ws);
  const res = await fetch(`${host.url}/api/stack/start`, { method: 'POST', headers: { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200, await res.text());
  const pids = await stackPids(host.child.pid!);
  await host.stop('SIGKILL');
  await assertAllGone(pids);
});

test('only an explicit choice keeps services: `up --detach` leaves them running and recorded; `down` stops them by the records', async () => {
  const [hostPort, apiPort] = await freePorts(2);
  ws = makeWorkspace({ host: { ports: [hostPort!] }, services: { api: { preferred: [apiPort!], kind: 'http', command: 'node api.js', health: { type: 'http', path: '/', intervalMs: 100 } } } });
  fs.writeFileSync(path.join(ws.dir, 'api.js'), NODE_JS);
  const up = await runCli(['up', ws.dir, '--detach'], { env: ws.env, timeoutMs: 60_000 });
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /detached: api left running; logs in .*manito down/);
  const body = await until(() => fetch(`http://127.0.0.1:${apiPort}/`).then((r) => r.text(), () => undefined), 10_000, 'api answering after up exited');
  assert.equal(body, `node ${apiPort}`);
  const pid = Number(/Started api \(process, pid (\d+)\)/.exec(up.stdout)![1]);
  leftovers.push(pid);
  assert.equal(isAlive(pid), true);
  const down = await runCli(['down', ws.dir], { env: ws.env });
  assert.equal(down.code, 0, down.stdout + down.stderr);
  assert.match(down.stdout, new RegExp(`Stopped api \\(pid ${pid}\\)`));
  await assertAllGone([pid]);
  assert.equal(await fetch(`http://127.0.0.1:${apiPort}/`).then(() => true, () => false), false);
});
