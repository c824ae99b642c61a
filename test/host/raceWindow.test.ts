// Issue 12 rule 2: a foreign listener that appears on a service's assigned port 200 ms to 3 s into
// a start never ends up serving as the service. `manito up` runs a real stack (api dependsOn dep,
// api slow to listen); a foreign node server is scheduled on api's port at each delay. In every
// run, the port the host reports for api answers api itself, and a move names the holder.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import type { StackSnapshot } from '../../protocol/model';
import { freePorts, getJson, makeWorkspace, until, type Workspace } from './support/hostProcess';
import { startCli, type CliProcess } from './cliSupport';

// Both listen only after a delay: dep ~0.8 s in, api ~1.2 s after its launch.
const SLOW_SERVER = `setTimeout(() => require('http').createServer((q, s) => s.end(process.env.NAME + ' ' + process.env.PORT))
  .listen(+process.env.PORT, '127.0.0.1', () => console.log(process.env.NAME + ' ready on ' + process.env.PORT)), +process.env.DELAY);`;

let ws: Workspace | undefined;
let up: CliProcess | undefined;
let foreign: ChildProcess | undefined;
afterEach(async () => {
  foreign?.kill('SIGKILL');
  if (up && up.child.exitCode === null && up.child.signalCode === null) {
    up.child.kill('SIGTERM');
    await up.exit;
  }
  ws?.cleanup();
  ws = up = foreign = undefined;
});

/** A delay after `up` starts, or 'launch': the moment api's process is launched, before it listens. */
for (const when of [200, 1500, 3000, 'launch'] as const) {
  test(`a foreign listener on api's port ${when === 'launch' ? 'right after api is launched' : `${when} ms into the start`} never serves as api`, { timeout: 90_000 }, async () => {
    const [hostPort, depPort, apiPort] = await freePorts(3);
    ws = makeWorkspace({
      host: { ports: [hostPort!] },
      services: {
        dep: { preferred: [depPort!], kind: 'http', command: 'node slow.js', env: { NAME: 'dep', DELAY: '800' }, health: { type: 'http', path: '/', intervalMs: 100 } },
        api: { preferred: [apiPort!], kind: 'http', command: 'node slow.js', env: { NAME: 'api', DELAY: '1200' }, dependsOn: ['dep'], health: { type: 'http', path: '/', intervalMs: 100 } },
      },
    });
    fs.writeFileSync(path.join(ws.dir, 'slow.js'), SLOW_SERVER);
    // Another program of the machine, outside the workspace; it gives up quietly if api got there first.
    const startForeign = (delayMs: number) => spawn(process.execPath, ['-e', `setTimeout(() => require('http').createServer((q, s) => s.end('foreign'))
      .on('error', () => process.exit(0)).listen(${apiPort}, '127.0.0.1', () => console.log('foreign listening')), ${delayMs})`], { cwd: '/', stdio: ['ignore', 'pipe', 'ignore'] });
    if (when !== 'launch') foreign = startForeign(when);
    up = startCli(['up', ws.dir], { env: ws.env });
    if (when === 'launch') {
      await up.waitFor(/Started api \(process/, 60_000);
      foreign = startForeign(0);
      await new Promise((resolve) => foreign!.stdout!.once('data', resolve));
    }
    await up.waitFor(/manito \| ✅ Started/, 60_000);
    const hostUrl = /host on (http:\/\/127\.0\.0\.1:\d+)/.exec(up.output())![1];
    // The host's view settles on a port that answers api itself.
    const port = await until(async () => {
      const snap = (await getJson(`${hostUrl}/api/snapshot`)).body.data as StackSnapshot;
      const api = snap.services.find((s) => s.name === 'api')!;
      if (api.health !== 'healthy' || api.port === null) return undefined;
      const body = await fetch(`http://127.0.0.1:${api.port}/`).then((r) => r.text(), () => '');
      return body === `api ${api.port}` ? api.port : undefined;
    }, 30_000, `api healthy and answering as itself:\n${up.output()}`);
    const foreignAnswer = await fetch(`http://127.0.0.1:${apiPort}/`).then((r) => r.text(), () => null);
    if (foreignAnswer === 'foreign') {
      assert.notEqual(port, apiPort, 'api was moved off the port the foreign process holds');
      // Whichever moment it came (before allocation, before api's launch, during it), the holder is named.
      assert.match(up.output(), new RegExp(`${apiPort} is held by pid \\d+ |${apiPort} was taken by pid \\d+ .*before api started|pid \\d+ .* won the race for ${apiPort}, not api`), 'the move names the holder');
      if (when === 'launch') assert.match(up.output(), new RegExp(`pid ${foreign!.pid} .* won the race for ${apiPort}, not api .*; api moved to ${port} and restarted`));
    } else {
      assert.notEqual(when, 'launch', 'the foreign process listened in the window');
      assert.equal(port, apiPort, 'api kept its port: the foreign process came too late');
    }
  });
}
