import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useColour } from '../../../cli/output';
import { colourEnabled, ProcessLauncher, shellLine } from '../../../server/launch/processLauncher';
import { descendants, isAlive } from '../../../server/launch/processTree';
import { listeningPorts } from '../../../server/proc/tcpTable';
import { freePort, get, nodeServerCommand, until } from './helpers';

test('a real node server launched through sh answers on its PORT, output prefixed; stop kills the whole tree', async (t) => {
  const port = await freePort();
  const lines: string[] = [];
  const launcher = new ProcessLauncher({ write: (l) => lines.push(l), color: false });
  const launched = await launcher.launch({ service: 'api', name: 'api', command: nodeServerCommand(), cwd: process.cwd(), env: { PORT: String(port), NAME: 'api' } });
  t.after(() => launched.stop());
  assert.ok(launched.pid && launched.pid > 0);
  const res = await until(() => get(port), 10_000, 'server answers');
  assert.equal(res.body.trim(), `api ${port}`);
  await until(() => lines.includes(`api | listening on ${port}\n`), 5000, 'prefixed line');
  const tree = [launched.pid!, ...descendants(launched.pid!)];
  assert.ok(tree.length >= 1);
  let exitInfo: unknown;
  launched.onExit((info) => { exitInfo = info; });
  await launched.stop();
  assert.equal(launched.exited, true);
  assert.ok(exitInfo);
  for (const pid of tree) assert.equal(isAlive(pid), false, `pid ${pid} still alive`);
  await assert.rejects(get(port));
});

test('stop kills grandchildren in the background and a child that ignores SIGTERM (SIGKILL after the grace time)', async (t) => {
  const lines: string[] = [];
  const launcher = new ProcessLauncher({ write: (l) => lines.push(l), color: false, graceMs: 300 });
  const stubborn = `${JSON.stringify(process.execPath)} -e "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up')"`;
  const launched = await launcher.launch({ service: 'tree', name: 'tree', command: `sleep 60 & ${stubborn} & wait`, cwd: process.cwd(), env: {} });
  t.after(() => launched.stop());
  // 'up' is printed after the SIGTERM handler is in place: a fixed wait raced node's start-up on a loaded machine.
  await until(() => lines.includes('tree | up\n'), 10_000, 'the stubborn child to ignore SIGTERM');
  const tree = await until(() => { const d = descendants(launched.pid!); return d.length >= 2 ? d : undefined; }, 5000, 'two descendants');
  const started = Date.now();
  await launched.stop();
  for (const pid of [launched.pid!, ...tree]) assert.equal(isAlive(pid), false, `pid ${pid} still alive`);
  assert.ok(Date.now() - started >= 250, 'waited the grace time before SIGKILL');
});

test('a service that exits on its own reports its exit code, and its leftovers are cleaned', async () => {
  const lines: string[] = [];
  const launcher = new ProcessLauncher({ write: (l) => lines.push(l), color: true });
  const launched = await launcher.launch({ service: 'job', name: 'job', command: 'echo partial-no-newline >&2; printf tail; exit 3', cwd: process.cwd(), env: {} });
  const info = await new Promise<{ code: number | null }>((resolve) => launched.onExit(resolve));
  assert.equal(info.code, 3);
  await until(() => lines.length >= 2, 2000, 'both lines');
  assert.ok(lines.some((l) => l.includes('partial-no-newline') && l.startsWith('\x1b[')), 'coloured prefix when asked');
  assert.ok(lines.some((l) => l.endsWith('tail\n')), 'an unterminated last line is still printed');
});

test('stop resolves only once the port is released: a node server\'s main thread shows as a zombie before its socket closes', async (t) => {
  // Seen in the restart path: the host stopped a service, found its port still listening, and
  // adopted the dying process instead of starting a new one. Twenty stops under probe traffic.
  const launcher = new ProcessLauncher({ write: () => {}, color: false });
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    const launched = await launcher.launch({ service: 'api', name: 'api', command: nodeServerCommand(), cwd: process.cwd(), env: { PORT: String(port), NAME: 'api' } });
    t.after(() => launched.stop());
    await until(() => get(port), 10_000, 'server answers');
    const traffic = setInterval(() => { get(port).catch(() => undefined); }, 5);
    try {
      await launched.stop();
      assert.equal(listeningPorts().has(port), false, `stop ${i}: port ${port} still listening`);
    } finally {
      clearInterval(traffic);
    }
  }
});

test('colour on a terminal unless NO_COLOR is set to something or TERM is dumb; an empty NO_COLOR does not count (no-color.org)', () => {
  const tty = { isTTY: true };
  // The services' prefixes and the CLI's own lines follow the one rule.
  for (const rule of [colourEnabled, useColour]) {
    assert.equal(rule(tty, {}), true);
    assert.equal(rule(tty, { NO_COLOR: '' }), true, 'NO_COLOR set but empty');
    assert.equal(rule(tty, { NO_COLOR: '1' }), false);
    assert.equal(rule(tty, { NO_COLOR: '0' }), false, 'any non-empty value');
    assert.equal(rule(tty, { TERM: 'dumb' }), false);
    assert.equal(rule({ isTTY: false }, {}), false);
    assert.equal(rule({}, {}), false);
  }
});

test('a simple command is exec\'d: the launched pid is the service\'s own; lists and assignments keep their shell', async () => {
  assert.equal(shellLine('node api.js --port 3000'), 'exec node api.js --port 3000');
  assert.equal(shellLine(`node -e "f(1); g('a|b')"`), `exec node -e "f(1); g('a|b')"`);
  for (const kept of ['a && b', 'a; b', 'a | b', 'sleep 1 &', 'FOO=1 node x', 'echo $(date)', 'echo "$(date)"', 'exec node x']) assert.equal(shellLine(kept), kept);
  const lines: string[] = [];
  const launcher = new ProcessLauncher({ write: (l) => lines.push(l), color: false });
  const launched = await launcher.launch({ service: 'me', name: 'me', command: `${JSON.stringify(process.execPath)} -e "console.log('pid ' + process.pid)"`, cwd: process.cwd(), env: {} });
  const info = await new Promise<{ code: number | null }>((resolve) => launched.onExit(resolve));
  assert.equal(info.code, 0);
  await until(() => lines.some((l) => l.startsWith('me | pid ')), 5000, 'the pid line');
  assert.ok(lines.includes(`me | pid ${launched.pid}\n`), `the reported pid is the service's: ${lines.join('')} vs ${launched.pid}`);
});

test('the reaper is told each process group at spawn, before the service\'s first line is written', async () => {
  const events: string[] = [];
  const reaper = { watch: (record: { pid: number; pgid: number }) => { events.push(`watch ${record.pgid === record.pid}`); }, forget: () => {} };
  const launcher = new ProcessLauncher({ write: (line) => { events.push(`line ${line.trim()}`); }, color: false });
  launcher.attachReaper(reaper as unknown as Parameters<ProcessLauncher['attachReaper']>[0]);
  // A service that speaks at once: its first line must not reach the output before the reaper knows its group.
  const launched = await launcher.launch({ service: 'chatty', name: 'chatty', command: 'echo first; sleep 0.1', cwd: process.cwd(), env: {} });
  await new Promise<void>((resolve) => launched.onExit(() => resolve()));
  await until(() => events.includes('line chatty | first') || undefined, 5000, 'the line');
  assert.equal(events[0], 'watch true', events.join('\n'));
});
