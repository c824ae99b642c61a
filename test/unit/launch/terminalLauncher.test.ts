import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { RequestType } from 'vscode-languageserver-protocol';
import { KillTerminal, LaunchTerminal, type LaunchTerminalParams } from '../../../protocol/lsp';
import { descendants, isAlive } from '../../../server/launch/processTree';
import { TerminalLauncher } from '../../../server/launch/terminalLauncher';
import { freePort, get, nodeServerCommand, until } from './helpers';

/** Plays the extension: "opens a terminal" by spawning a real shell, answers with its pid. */
function extensionSide() {
  const calls: Array<{ method: string; params: unknown }> = [];
  return {
    calls,
    async sendRequest<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
      calls.push({ method: type.method, params });
      if (type.method === LaunchTerminal.type.method) {
        const p = params as unknown as LaunchTerminalParams;
        const shell = spawn('sh', ['-c', p.command], { cwd: p.cwd, env: { ...process.env, ...p.env }, stdio: 'ignore' });
        await new Promise((r) => shell.once('spawn', r));
        return { pid: shell.pid! } as R;
      }
      return undefined as R;
    },
  };
}

test('launches through LaunchTerminal; stop kills the shell tree, then sends KillTerminal', async (t) => {
  const port = await freePort();
  const ext = extensionSide();
  const launcher = new TerminalLauncher(ext, { graceMs: 1000 });
  const launched = await launcher.launch({ service: 'server', name: 'server', command: nodeServerCommand(), cwd: process.cwd(), env: { PORT: String(port), NAME: 'server' } });
  t.after(() => launched.stop());
  assert.equal(ext.calls[0]!.method, 'manito/launchTerminal');
  assert.deepEqual((ext.calls[0]!.params as LaunchTerminalParams).name, 'server');
  await until(() => get(port), 10_000, 'server answers');
  const tree = [launched.pid!, ...descendants(launched.pid!)];
  await launched.stop();
  for (const pid of tree) assert.equal(isAlive(pid), false);
  assert.deepEqual(ext.calls[1], { method: KillTerminal.type.method, params: { service: 'server' } });
  assert.equal(launched.exited, true);
});

test('TerminalExited from the extension reports the exit', async () => {
  const ext = extensionSide();
  const launcher = new TerminalLauncher(ext);
  const launched = await launcher.launch({ service: 'job', name: 'job', command: 'true', cwd: process.cwd(), env: {} });
  const exited = new Promise((resolve) => launched.onExit(resolve));
  launcher.terminalExited({ service: 'job', exitCode: 4 });
  assert.deepEqual(await exited, { code: 4 });
  launcher.terminalExited({ service: 'job', exitCode: 5 });
});

test('adopt: a terminal from before a host restart is stopped and reported like a launched one', async () => {
  const ext = extensionSide();
  const launcher = new TerminalLauncher(ext, { graceMs: 500 });
  const shell = spawn('sh', ['-c', 'sleep 30'], { stdio: 'ignore' });
  await new Promise((r) => shell.once('spawn', r));
  const adopted = launcher.adopt('server', shell.pid!);
  assert.equal(ext.calls.length, 0, 'no new terminal');
  const exited = new Promise((resolve) => adopted.onExit(resolve));
  const shellGone = new Promise((resolve) => shell.once('exit', resolve));
  await adopted.stop();
  await exited;
  // A shell that did not exec its command ends once its child is killed: wait for that, not a moment.
  await shellGone;
  assert.equal(isAlive(shell.pid!), false);
  assert.deepEqual(ext.calls.map((c) => c.method), ['manito/killTerminal']);
});

test('stop ends the service at once and leaves the interactive shell to its terminal, which ignores SIGTERM', async (t) => {
  const port = await freePort();
  let shellPid = 0;
  // An editor terminal: an interactive bash that stays, given the command as typed input.
  const ext = {
    calls: [] as string[],
    async sendRequest<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
      this.calls.push(type.method);
      if (type.method !== LaunchTerminal.type.method) return undefined as R;
      const p = params as unknown as LaunchTerminalParams;
      const shell = spawn('bash', ['--norc', '-i'], { cwd: p.cwd, env: { ...process.env, ...p.env }, stdio: ['pipe', 'ignore', 'ignore'] });
      await new Promise((r) => shell.once('spawn', r));
      shell.stdin!.write(`${p.command}\n`);
      shellPid = shell.pid!;
      return { pid: shell.pid! } as R;
    },
  };
  // A grace time far longer than the test: had stop() waited for the shell, it would have SIGKILLed it after it.
  const launcher = new TerminalLauncher(ext, { graceMs: 60_000 });
  const launched = await launcher.launch({ service: 'web', name: 'web', command: nodeServerCommand(), cwd: process.cwd(), env: { PORT: String(port), NAME: 'web' } });
  t.after(() => { try { process.kill(shellPid, 'SIGKILL'); } catch { /* gone */ } });
  await until(() => get(port), 10_000, 'server answers');
  const service = descendants(shellPid);
  assert.ok(service.length > 0, 'the service runs as a child of the shell');
  await launched.stop();
  for (const pid of service) assert.equal(isAlive(pid), false, `service process ${pid} still alive`);
  assert.equal(isAlive(shellPid), true, 'the shell is left for KillTerminal, not killed after the grace time');
  assert.deepEqual(ext.calls, [LaunchTerminal.type.method, KillTerminal.type.method]);
});
