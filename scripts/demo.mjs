// `npm run demo`: packages the extension and opens examples/fullstack with it installed: in desktop
// VS Code when `code` is on the PATH, otherwise in the bundled code-server on 127.0.0.1 (installed
// into .cache/ on first use), printing the URL to open. Ctrl+C stops code-server.
// Options: --port N (code-server port, default 8080 or the next free one), --code-server (skip `code`),
// --check (start, verify the workbench answers, stop: used by tests and CI).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVsix } from './package.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'examples', 'fullstack');
const args = process.argv.slice(2);
const check = args.includes('--check');
const forceCodeServer = args.includes('--code-server') || check;
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : undefined;

function say(line) {
  console.log(`[demo] ${line}`);
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function pickPort() {
  if (portArg) return portArg;
  for (let port = 8080; port < 8100; port++) if (await portIsFree(port)) return port;
  return 0;
}

function run(command, commandArgs, options = {}) {
  const r = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (r.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited with ${r.status ?? r.signal}`);
}

async function main() {
  if (!existsSync(join(root, 'node_modules'))) {
    say('installing dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  say('building the extension, host and CLI');
  run(process.execPath, ['esbuild.mjs']);
  say('packaging the .vsix');
  const vsix = await packageVsix();
  say(`packaged ${vsix}`);

  if (!forceCodeServer && onPath('code')) {
    say('found `code` on the PATH: installing the extension into desktop VS Code');
    run('code', ['--install-extension', vsix, '--force']);
    run('code', [example]);
    say(`opened ${example}. Run "Manito: Start Stack" from the command palette (F1).`);
    return;
  }

  say('no `code` on the PATH: using the bundled code-server');
  if (!onPath('rg') || !onPath('redis-server')) {
    // code-server's install needs ripgrep and Kerberos headers; the example stack needs Redis.
    say('installing the Debian packages the demo needs (scripts/install-system-packages.sh)');
    run('bash', [join(root, 'scripts', 'install-system-packages.sh')]);
  }
  run('bash', [join(root, 'scripts', 'install-code-server.sh')]);
  const cache = process.env.MANITO_CODE_SERVER_CACHE ?? join(root, '.cache', 'code-server');
  const entry = join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const demoDir = join(root, '.cache', 'demo');
  const userData = join(demoDir, 'user-data');
  const extensions = join(demoDir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
  }, null, 2));
  run(process.execPath, [entry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix, '--force'],
    { stdio: ['ignore', 'ignore', 'inherit'] });

  const port = await pickPort();
  const child = spawn(process.execPath, [
    entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--user-data-dir', userData, '--extensions-dir', extensions, example,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const bound = new Promise((resolve, reject) => {
    const onData = (d) => {
      output += d;
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited (${code}) before listening:\n${output}`)));
  });
  const actualPort = await bound;
  const url = `http://127.0.0.1:${actualPort}/?folder=${encodeURIComponent(example)}`;
  const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (check) {
    const response = await fetch(`http://127.0.0.1:${actualPort}/healthz`);
    say(`code-server answers /healthz with ${response.status}; demo URL ${url}`);
    stop();
    if (!response.ok) process.exitCode = 1;
    return;
  }
  console.log(`\n  Manito demo: open ${url}\n  then run "Manito: Start Stack" from the command palette (F1). Ctrl+C here stops code-server.\n`);
  await new Promise((resolve) => child.on('exit', resolve));
}

main().catch((error) => {
  console.error(`[demo] ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
