// The app helpers are installable: `npm pack` builds the manito-app tarball from this repository, a
// fresh project elsewhere installs it (with Vite, from the registry through npm's cache; no link, no
// path into this repository), imports the ports client and the plugin in both module systems, and
// runs a real Vite whose plugin takes the port a real Manito host gives the client.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { exitOf, freePorts, makeWorkspace, ROOT, startHeadless, type HostProcess, type Workspace } from './support/hostProcess';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let ws: Workspace;
let host: HostProcess | undefined;
let project: string;
let vite: ChildProcess | undefined;

interface LockEntry { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; [key: string]: unknown }

/** Vite and what it needs, as this repository's lockfile pins them: the fresh project installs exactly those from the registry. */
function viteClosure(): Record<string, LockEntry> {
  const packages = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  const out: Record<string, LockEntry> = {};
  const resolve = (from: string, dep: string): string | undefined => {
    for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
      const key = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (packages[key]) return key;
      if (!base) return undefined;
    }
  };
  const add = (key: string) => {
    if (out[key]) return;
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = packages[key]!;
    out[key] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = resolve(key, dep);
      if (found) add(found);
    }
  };
  add('node_modules/vite');
  return out;
}

before(async () => {
  const [hostPort, clientPort, apiPort] = await freePorts(3);
  ws = makeWorkspace({
    host: { ports: [hostPort!] },
    services: { client: { preferred: [clientPort!], kind: 'vite' }, api: { preferred: [apiPort!], kind: 'http' } },
  });
  project = path.join(ws.dir, 'web');
  fs.mkdirSync(project);
  // npm pack runs the package's prepack build.
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', project], { cwd: path.join(ROOT, 'packages', 'app'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = packed[0]!.filename;
  assert.ok(packed[0]!.files.some((f) => f.path === 'dist/index.mjs') && packed[0]!.files.some((f) => f.path === 'dist/types/cli/app/index.d.ts'));
  const vitePin = (viteClosure()['node_modules/vite'] as { version: string }).version;
  const dependencies = { 'manito-app': `file:${tarball}`, vite: vitePin };
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module', dependencies }, null, 2));
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(path.join(project, tarball))).digest('base64')}`;
  fs.writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify({
    name: 'fresh-app', lockfileVersion: 3, requires: true,
    packages: {
      '': { name: 'fresh-app', dependencies },
      'node_modules/manito-app': { version: '0.1.0', resolved: `file:${tarball}`, integrity, license: 'MIT', peerDependencies: { vite: '>=4' }, peerDependenciesMeta: { vite: { optional: true } } },
      ...viteClosure(),
    },
  }, null, 2));
  execFileSync(npm, ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  host = await startHeadless(ws);
});

after(async () => {
  if (vite && vite.exitCode === null && vite.signalCode === null) vite.kill('SIGTERM');
  if (vite) await exitOf(vite);
  await host?.stop();
  ws?.cleanup();
});

test('the installed package is a copy, not a link into this repository, and imports as ESM and CommonJS', () => {
  const installed = path.join(project, 'node_modules', 'manito-app');
  assert.equal(fs.lstatSync(installed).isSymbolicLink(), false);
  assert.ok(!fs.realpathSync(installed).startsWith(ROOT));
  const script = `
    import { createPortConfig, manitoVite } from 'manito-app';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('manito-app');
    // No host, no variables: the project's own ports, for a teammate without Manito.
    const config = await createPortConfig({ url: 'http://127.0.0.1:9', env: {}, defaults: { web: 4321 }, timeoutMs: 300 }).initialize();
    console.log(JSON.stringify({ esm: [typeof createPortConfig, typeof manitoVite], cjs: [typeof cjs.createPortConfig, typeof cjs.manitoVite], plugin: manitoVite().name, source: config.source, web: config.getPort('web') }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' }));
  assert.deepEqual(out, { esm: ['function', 'function'], cjs: ['function', 'function'], plugin: 'manito', source: 'default', web: 4321 });
});

test('a real Vite with the installed plugin serves on the port the Manito host gives the client', async () => {
  const given = (await (await fetch(`${host!.url}/api/ports`)).json() as { data: Record<string, number> }).data;
  const clientPort = given.client!;
  fs.writeFileSync(path.join(project, 'index.html'), '<!doctype html><title>fresh</title><p>fresh app</p>');
  fs.writeFileSync(path.join(project, 'vite.config.mjs'),
    "import { manitoVite } from 'manito-app';\nexport default { logLevel: 'info', plugins: [manitoVite({ service: 'client', server: 'api', defaults: { client: 3000, api: 8000 } })] };\n");
  const env = { ...ws.env };
  for (const key of Object.keys(env)) if (key === 'PORT' || /^MANITO_.*_PORT$/.test(key)) delete env[key];
  vite = spawn(process.execPath, [path.join(project, 'node_modules', 'vite', 'bin', 'vite.js')], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => { out += c.toString(); if (/Local:\s+http:\/\/localhost:\d+/.test(out)) resolve(); };
    vite!.stdout!.on('data', onData);
    vite!.stderr!.on('data', onData);
    vite!.once('exit', (code) => reject(new Error(`vite exited ${code}:\n${out}`)));
  });
  assert.match(out, new RegExp(`\\[manito\\] client: port ${clientPort}, api: \\d+ \\(from the Manito host`));
  assert.match(out, new RegExp(`Local:\\s+http://localhost:${clientPort}/`));
  assert.match(await (await fetch(`http://localhost:${clientPort}/`)).text(), /fresh app/);
  const ports = await (await fetch(`http://localhost:${clientPort}/__manito/ports`)).json() as { data: Record<string, unknown> };
  // Browser code reads the host's ports through the dev server (the host may since have noticed Vite on the client's port).
  assert.equal(ports.data.api, given.api);
});
