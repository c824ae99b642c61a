// Issue 12 rule 1 with real processes: a fake Redis answering +PONG on a service's preferred port
// is adopted only when it is this user's and runs inside the workspace; another uid's (uid 65534,
// dropped before listen) or one running outside the workspace is refused, and the refusal says why.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import { detectRunning, type Refusal } from '../../../server/detect/detectRunning';
import { freePort } from '../launch/helpers';

const FAKE_REDIS = `require('net').createServer((s) => s.on('data', () => s.write('+PONG\\r\\n')))
  .listen(+process.argv[1], '127.0.0.1', () => console.log('listening'));`;

const children: ChildProcess[] = [];
after(() => { for (const c of children) c.kill('SIGKILL'); });

async function fakeRedis(port: number, options: { cwd: string; uid?: number; gid?: number }): Promise<ChildProcess> {
  // `node -e` needs nothing from the checkout: it runs as uid 65534 from '/'.
  const child = spawn(process.execPath, ['-e', FAKE_REDIS, String(port)], { ...options, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise((resolve, reject) => { child.stdout!.once('data', resolve); child.once('exit', reject); });
  return child;
}

function stack(port: number): StackConfig {
  return { services: { redis: { preferred: [port], kind: 'redis' } } } as StackConfig;
}

test('a fake Redis of another uid is never adopted; the refusal names its uid', { skip: process.getuid?.() !== 0 && 'needs root to drop to uid 65534' }, async () => {
  const port = await freePort();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-own-'));
  const child = await fakeRedis(port, { cwd: '/', uid: 65534, gid: 65534 });
  const refused: Refusal[] = [];
  const found = await detectRunning(stack(port), { workspace, refused: (r) => refused.push(r) });
  assert.deepEqual(found, []);
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.holder.pid, child.pid);
  assert.match(refused[0]!.why, /uid 65534, not this user/);
  fs.rmSync(workspace, { recursive: true, force: true });
});

test('this user\'s fake Redis outside the workspace is refused; inside it, adopted as external', async () => {
  const workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'manito-own-')));
  const outside = await freePort();
  await fakeRedis(outside, { cwd: os.tmpdir() });
  const refused: Refusal[] = [];
  assert.deepEqual(await detectRunning(stack(outside), { workspace, refused: (r) => refused.push(r) }), []);
  assert.match(refused[0]!.why, /outside the workspace/);

  const inside = await freePort();
  const child = await fakeRedis(inside, { cwd: workspace });
  const found = await detectRunning(stack(inside), { workspace });
  assert.equal(found.length, 1);
  assert.equal(found[0]!.how, 'external');
  assert.equal(found[0]!.holder?.pid, child.pid);
  fs.rmSync(workspace, { recursive: true, force: true });
});
