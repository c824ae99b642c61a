// The app-side helpers against a real host: a real Vite dev server configured with manitoVite()
// takes the client's allocated port (strict) and proxies /api and the WebSocket path to a real
// node server on the server's allocated, non-default port; createPortConfig() reads the same ports.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { exitOf, freePorts, makeWorkspace, ROOT, startHeadless, type HostProcess, type Workspace } from './support/hostProcess';
import { createPortConfig } from '../../cli/app/portConfig';
import { launchBrowser } from '../editor/harness/browser';

const SERVER_JS = `
const http = require('http');
const { WebSocketServer } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'ws'))});
const server = http.createServer((req, res) => res.end(JSON.stringify({ from: 'server', url: req.url, port: +process.env.PORT })));
const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', (socket) => socket.send('hello from ' + process.env.PORT));
server.listen(+process.env.PORT, '127.0.0.1', () => console.log('server ready'));
`;

let ws: Workspace;
let host: HostProcess;
let clientPort: number;
let serverPort: number;
const children: ChildProcess[] = [];

function waitForText(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`)), timeoutMs);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (pattern.test(out)) { clearTimeout(timer); resolve(out); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code} before ${pattern}:\n${out}`)); });
  });
}

before(async () => {
  let hostPort: number;
  [hostPort, clientPort, serverPort] = (await freePorts(3)) as [number, number, number];
  ws = makeWorkspace({
    host: { ports: [hostPort] },
    services: {
      server: { preferred: [serverPort], kind: 'http' },
      client: { preferred: [clientPort], kind: 'vite', conflicts: ['server'] },
    },
  });
  host = await startHeadless(ws);
  fs.writeFileSync(path.join(ws.dir, 'server.cjs'), SERVER_JS);
  // The page reads its ports with the app helper (a copy of dist/app.mjs), as browser code would.
  fs.copyFileSync(path.join(ROOT, 'dist', 'app.mjs'), path.join(ws.dir, 'manito-app.mjs'));
  fs.writeFileSync(path.join(ws.dir, 'index.html'), `<!doctype html><title>manito</title><p>client</p><pre id="ports"></pre>
<script type="module">
  import { createPortConfig } from '/manito-app.mjs';
  const config = await createPortConfig().initialize();
  document.getElementById('ports').textContent = JSON.stringify(config.toJSON());
</script>`);
  fs.writeFileSync(path.join(ws.dir, 'vite.config.mjs'),
    `import { manitoVite } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'app.mjs')).href)};\n` +
    `export default { logLevel: 'info', plugins: [manitoVite({ service: 'client', server: 'server', proxy: ['/api'], ws: '/ws' })] };\n`);
});

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exitOf(child);
  }
  await host?.stop();
  ws?.cleanup();
});

test('createPortConfig() in Node finds the host of its folder through discovery and reads /api/ports; never another project\'s', async () => {
  const config = await createPortConfig({ env: { MANITO_STATE_DIR: ws.stateDir }, cwd: path.join(ws.dir, 'src', 'server') }).initialize();
  assert.equal(config.source, 'host');
  assert.equal(config.getPort('server'), serverPort);
  assert.equal(config.getPort('client'), clientPort);
  assert.equal(config.getUrl('server'), `http://localhost:${serverPort}`);
  // An app in another folder: this host's ports are not its ports, through discovery or the scan.
  const elsewhere = await createPortConfig({ env: { MANITO_STATE_DIR: ws.stateDir }, cwd: os.tmpdir(), timeoutMs: 300 }).initialize();
  assert.deepEqual([elsewhere.source, elsewhere.hostUrl, elsewhere.getPort('server')], ['default', null, 3000]);
  // No host: MANITO_<SERVICE>_PORT and PORT, then the seed's defaults.
  const offline = await createPortConfig({ url: 'http://127.0.0.1:9', service: 'client', env: { MANITO_SERVER_PORT: '4123', PORT: '4999' }, timeoutMs: 300 }).initialize();
  assert.equal(offline.source, 'env');
  assert.equal(offline.getPort('server'), 4123);
  assert.equal(offline.getPort('client'), 4999);
  assert.equal(offline.getPort('redis'), 6379);
});

test('a real Vite dev server with manitoVite() listens on the allocated port and proxies /api and /ws to the server', async () => {
  const server = spawn(process.execPath, ['server.cjs'], { cwd: ws.dir, env: { ...ws.env, PORT: String(serverPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(server);
  await waitForText(server, /server ready/);
  // No PORT or MANITO_* in its env: the plugin finds the host through the discovery file.
  const env = { ...ws.env };
  for (const key of Object.keys(env)) if (key === 'PORT' || /^MANITO_.*_PORT$/.test(key)) delete env[key];
  const vite = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), '--config', 'vite.config.mjs'], { cwd: ws.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(vite);
  const out = await waitForText(vite, /Local:\s+http:\/\/localhost:\d+/);
  assert.match(out, new RegExp(`\\[manito\\] client: port ${clientPort}, server: ${serverPort} \\(from the Manito host`));
  assert.match(out, new RegExp(`Local:\\s+http://localhost:${clientPort}/`));

  const page = await fetch(`http://localhost:${clientPort}/`);
  assert.match(await page.text(), /<p>client<\/p>/);
  const api = await (await fetch(`http://localhost:${clientPort}/api/hello`)).json();
  assert.deepEqual(api, { from: 'server', url: '/api/hello', port: serverPort });
  const ports = await (await fetch(`http://localhost:${clientPort}/__manito/ports`)).json() as { data: Record<string, unknown> };
  assert.equal(ports.data.server, serverPort);

  const socket = new WebSocket(`ws://localhost:${clientPort}/ws`);
  const message = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data) => resolve(data.toString()));
    socket.once('error', reject);
  });
  socket.close();
  assert.equal(message, `hello from ${serverPort}`);

  // In a real browser: createPortConfig() reads the ports through the dev server, same origin.
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${clientPort}/`);
    await page.waitForFunction(() => document.getElementById('ports')?.textContent !== '', undefined, { timeout: 15_000 });
    const seen = JSON.parse((await page.textContent('#ports'))!);
    assert.equal(seen.source, 'host');
    assert.equal(seen.ports.server, serverPort);
    assert.equal(seen.ports.client, clientPort);
    assert.equal(seen.urls.server, `http://localhost:${serverPort}`);
  } finally {
    await browser.close();
  }
});
