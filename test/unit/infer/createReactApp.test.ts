// Create React App as Manito runs it: headless (BROWSER=none, CI=true, the legacy OpenSSL provider
// for webpack 4), with npm when a yarn.lock's yarn is not installed, and its package.json "proxy"
// made to follow the API's allocated port through the src/setupProxy.js that `scan --fix` writes,
// proven on real sockets: the generated file forwards what CRA's proxy forwards and nothing else.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { InferredStack } from '../../../protocol/inference';
import { inferFromFiles } from '../../../server/infer/inferStack';
import { planFixes } from '../../../server/infer/portFix';
import { scanFiles } from '../../../server/infer/portScan';

const craPackage = (reactScripts: string) => JSON.stringify({
  dependencies: { react: '^16.13.1', 'react-scripts': reactScripts },
  scripts: { start: 'react-scripts start' },
  proxy: 'http://localhost:5000',
}, null, 2);
const api = 'from flask import Flask\napp = Flask(__name__)\n';

function infer(files: Record<string, string>, hasTool?: (tool: string) => boolean): InferredStack {
  const r = inferFromFiles(new Map(Object.entries(files)), hasTool ? { hasTool } : {});
  assert.ok(r.found);
  return r;
}

test('CRA runs headless; react-scripts before 5 gets the legacy OpenSSL provider; each variable says why', () => {
  const old = infer({ 'package.json': craPackage('3.4.1'), 'package-lock.json': '{}' });
  const client = Object.values(old.stack.services)[0]!;
  assert.equal(client.command, 'npm start');
  assert.deepEqual(client.env, { BROWSER: 'none', CI: 'true', NODE_OPTIONS: '--openssl-legacy-provider' });
  const name = Object.keys(old.stack.services)[0]!;
  for (const key of Object.keys(client.env!)) assert.match(old.provenance[name]!.env[key]!, /\S/, `${key} says why`);
  const current = Object.values(infer({ 'package.json': craPackage('^5.0.1') }).stack.services)[0]!;
  assert.deepEqual(current.env, { BROWSER: 'none', CI: 'true' }, 'react-scripts 5 runs webpack 5: no legacy provider');
});

test('a yarn.lock or bun.lock whose tool is not installed runs its scripts with npm, and says so; a declared packageManager is kept', () => {
  const files = { 'package.json': craPackage('3.4.1'), 'yarn.lock': '' };
  assert.equal(Object.values(infer(files, () => true).stack.services)[0]!.command, 'yarn run start');
  const fallback = infer(files, (tool) => tool !== 'yarn');
  assert.equal(Object.values(fallback.stack.services)[0]!.command, 'npm start');
  assert.match(Object.values(fallback.provenance)[0]!.from[0]!, /npm: no yarn on PATH/);
  const bun = { 'package.json': JSON.stringify({ scripts: { dev: 'vite' }, devDependencies: { vite: '^5' } }), 'bun.lock': '' };
  assert.equal(Object.values(infer(bun, () => false).stack.services)[0]!.command, 'npm run dev -- --port ${port} --strictPort');
  const declared = { 'package.json': JSON.stringify({ scripts: { dev: 'vite' }, devDependencies: { vite: '^5' }, packageManager: 'yarn@4.1.0' }), 'yarn.lock': '' };
  assert.equal(Object.values(infer(declared, () => false).stack.services)[0]!.command, 'yarn run dev --port ${port} --strictPort');
});

function fixPlan(files: Record<string, string>) {
  const map = new Map(Object.entries(files));
  return planFixes(scanFiles(map), map, {
    serviceForPort: (port) => (port === 5000 ? 'api' : undefined),
    serviceForFile: () => ({ name: 'client', vite: false }),
  });
}

test('scan --fix: CRA\'s package.json "proxy" becomes src/setupProxy.js beside it, never over an existing one', () => {
  const plan = fixPlan({ 'web/package.json': craPackage('3.4.1'), 'api/app.py': api });
  assert.deepEqual(plan.create.map((c) => c.path), ['web/src/setupProxy.js']);
  assert.match(plan.create[0]!.text, /process\.env\.MANITO_API_PORT \|\| 5000/);
  const existing = fixPlan({ 'web/package.json': craPackage('3.4.1'), 'web/src/setupProxy.js': 'module.exports = () => {};' });
  assert.equal(existing.create.length, 0);
  assert.match(existing.skipped.map((s) => s.reason).join('\n'), /web\/src\/setupProxy\.js exists/);
  const notCra = fixPlan({ 'package.json': JSON.stringify({ scripts: { start: 'node x.js' }, proxy: 'http://localhost:5000' }, null, 2) });
  assert.equal(notCra.create.length, 0, 'only react-scripts reads "proxy"');
});

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-cra-proxy-'));
const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.close();
  fs.rmSync(temp, { recursive: true, force: true });
});

async function listen(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('the written setupProxy.js forwards API requests to MANITO_API_PORT and leaves pages, public files and the bundle to the dev server', async () => {
  const upstream = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => res.end(JSON.stringify({ api: `${req.method} ${req.url}`, body })));
  });
  fs.mkdirSync(path.join(temp, 'public'));
  fs.writeFileSync(path.join(temp, 'public', 'manifest.json'), '{}');
  fs.writeFileSync(path.join(temp, 'package.json'), craPackage('3.4.1').replace('localhost:5000', '127.0.0.1:5000'));
  const plan = fixPlan({ 'package.json': fs.readFileSync(path.join(temp, 'package.json'), 'utf8') });
  fs.mkdirSync(path.join(temp, 'src'));
  fs.writeFileSync(path.join(temp, plan.create[0]!.path), plan.create[0]!.text);
  process.env.MANITO_API_PORT = String(upstream);
  // CRA hands the file an express app; a plain middleware chain is all it uses.
  const middleware: Array<(req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void> = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(path.join(temp, 'src', 'setupProxy.js')) as (app: { use: (m: typeof middleware[number]) => void }) => void)({ use: (m) => middleware.push(m) });
  delete process.env.MANITO_API_PORT;
  const devServer = await listen((req, res) => middleware[0]!(req, res, () => res.end('dev server')));
  const get = async (p: string, init: RequestInit = {}) => (await fetch(`http://127.0.0.1:${devServer}${p}`, init)).text();
  assert.equal(await get('/api/time?x=1', { headers: { accept: 'application/json' } }), JSON.stringify({ api: 'GET /api/time?x=1', body: '' }));
  assert.equal(await get('/api/login', { method: 'POST', body: 'name=a', headers: { accept: 'text/html' } }), JSON.stringify({ api: 'POST /api/login', body: 'name=a' }));
  assert.equal(await get('/some/page', { headers: { accept: 'text/html,*/*' } }), 'dev server', 'a page is the app\'s');
  assert.equal(await get('/manifest.json', { headers: { accept: '*/*' } }), 'dev server', 'a file of public/');
  assert.equal(await get('/static/js/bundle.js', { headers: { accept: '*/*' } }), 'dev server', 'the bundle');
  assert.equal(await get('/main.abc.hot-update.json', { headers: { accept: '*/*' } }), 'dev server', 'a hot update');
});
