// Explanations stay true while the host runs: a foreign process holds a service's first preferred
// port, so the service starts on its next one; when that process exits, the host says the port is
// free again (log, event, snapshot, `manito status`), and `manito move-back` puts the running
// service back on it, restarted there. Real sockets and real processes throughout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { ManitoEvent, ServiceView } from '../../protocol/model';
import { exitOf, freePorts, getJson, makeWorkspace, startHeadless, until, type HostProcess, type Workspace } from './support/hostProcess';
import { runCli } from './cliSupport';

const API = `node -e "require('http').createServer((q, r) => r.end('api on ' + process.env.PORT)).listen(+process.env.PORT, '127.0.0.1')"`;
// A raw TCP listener started from /: not an HTTP server, not in the workspace, not Manito's.
const FOREIGN = `require('net').createServer((s) => s.end()).listen(+process.env.P, '127.0.0.1', () => console.log('foreign up'))`;

let ws: Workspace | undefined;
let host: HostProcess | undefined;
const children: ChildProcess[] = [];

after(async () => {
  await host?.stop();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) { c.kill('SIGKILL'); await exitOf(c); }
  ws?.cleanup();
});

async function view(name: string): Promise<ServiceView> {
  return ((await getJson(`${host!.url}/api/snapshot`)).body.data.services as ServiceView[]).find((s) => s.name === name)!;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1').once('connect', () => { s.destroy(); resolve(true); }).once('error', () => resolve(false));
  });
}

test('the holder that forced a move exits: "free again" everywhere, and move-back moves the running service', async () => {
  const [preferred, next, hostPort] = await freePorts(3);
  const foreign = spawn(process.execPath, ['-e', FOREIGN], { cwd: '/', env: { ...process.env, P: String(preferred) }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(foreign);
  await new Promise<void>((resolve, reject) => {
    foreign.stdout!.on('data', (c) => { if (String(c).includes('foreign up')) resolve(); });
    foreign.once('exit', (code) => reject(new Error(`foreign listener exited ${code}`)));
  });

  ws = makeWorkspace({ host: { ports: [hostPort!] }, services: { api: { kind: 'http', preferred: [preferred!, next!], command: API } } });
  host = await startHeadless(ws);
  const before = await view('api');
  assert.equal(before.port, next);
  assert.match(before.explanation, new RegExp(`^${preferred} is held by pid ${foreign.pid} `));
  assert.equal(before.moveBack, undefined);

  const started = await getJson(`${host.url}/api/stack/start`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-manito-token': host.token }, body: '{}' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  await until(async () => (await view('api')).health === 'healthy', 30_000, 'api healthy on its fallback port');
  assert.equal(await (await fetch(`http://127.0.0.1:${next}/`)).text(), `api on ${next}`);

  foreign.kill('SIGTERM');
  await exitOf(foreign);
  const freedLine = `${preferred} is free again: pid ${foreign.pid}`;
  await host.waitForOutput(freedLine, 20_000);

  const freed = await view('api');
  assert.deepEqual(freed.moveBack, { port: preferred });
  assert.match(freed.explanation, new RegExp(`^${preferred} is free again: pid ${foreign.pid} \\(.*\\), which held it, has exited; api stays on ${next} until you move it back$`));
  const events = (await getJson(`${host.url}/api/events?limit=200`)).body.data as ManitoEvent[];
  const event = events.find((e) => e.type === 'portFreed');
  assert.ok(event && event.type === 'portFreed', JSON.stringify(events.map((e) => e.type)));
  assert.deepEqual([event.service, event.port, event.current, event.holder?.pid], ['api', preferred, next, foreign.pid]);

  const status = await runCli(['status', ws.dir], { env: ws.env });
  assert.equal(status.code, 0, status.stderr);
  assert.ok(status.stdout.includes(`api: ${freed.explanation}; run \`manito move-back api\``), status.stdout);

  // The dashboard (with the token, so it can act): the note under the row and the Move back button.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${host.url}/dashboard?token=${encodeURIComponent(host.token)}`);
    const note = page.locator('tr.service-note[data-note-for="api"]');
    await note.waitFor({ timeout: 20_000 });
    assert.equal((await note.innerText()).trim(), freed.explanation);
    const button = page.locator('tr.service-row[data-service="api"] button[data-action="move-back"]');
    assert.equal((await button.innerText()).trim(), `Move back to ${preferred}`);
    assert.equal(await button.isEnabled(), true);
    await page.locator('details.ownership summary').click();
    assert.match(await page.locator('details.ownership').innerText(), /External\s+Found running and adopted, not started by Manito/);
    const dir = path.join(__dirname, '..', '..', 'test-results', 'screenshots');
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'dashboard-port-free-again.png'), fullPage: true });
  } finally {
    await browser.close();
  }

  const moved = await runCli(['move-back', 'api', ws.dir], { env: ws.env, timeoutMs: 60_000 });
  assert.equal(moved.code, 0, `${moved.stdout}${moved.stderr}`);
  assert.match(moved.stdout, new RegExp(`api moved back to ${preferred} and restarted there`));
  const after = await until(async () => { const v = await view('api'); return v.port === preferred && v.health === 'healthy' ? v : undefined; }, 30_000, 'api healthy on its preferred port');
  assert.equal(after.moveBack, undefined);
  assert.equal(after.reason, 'preferred');
  assert.equal(await (await fetch(`http://127.0.0.1:${preferred}/`)).text(), `api on ${preferred}`);
  assert.equal(await listening(next!), false, 'the copy on the old port was stopped');

  // Nothing more to move: a second move-back says so and changes nothing.
  const again = await runCli(['move-back', 'api', ws.dir], { env: ws.env });
  assert.equal(again.code, 0, `${again.stdout}${again.stderr}`);
  assert.match(again.stdout, new RegExp(`api is already on ${preferred}, its first preferred port`));
  const unknown = await runCli(['move-back', 'nope', ws.dir], { env: ws.env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Unknown service "nope"/);
});
