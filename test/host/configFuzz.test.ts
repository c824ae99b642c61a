// Issue 13: the seeded config fuzzer against a live headless host watching its manito.json. Each
// mutated file is written whole after a valid one, and the host must show that it read it (an
// error, or a different stack), stay alive, answer /api/health within a bound and keep its memory
// bounded. Replay a failure with MANITO_FUZZ_SEED=<the printed seed>.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { StackSnapshot } from '../../protocol/model';
import { fuzzCase, fuzzSeed, rng } from '../support/configFuzz';
import { freePorts, makeWorkspace, startHeadless, type HostProcess, type Workspace } from './support/hostProcess';

const CASES = Number(process.env.MANITO_FUZZ_CASES) || 200;
/** Upper bounds that only a hang or a crash loop reaches. */
const ANSWER_MS = 5000;
const READ_MS = 15_000;

let ws: Workspace;
let host: HostProcess;
let hostPort: number;

before(async () => {
  [hostPort] = await freePorts(1) as [number];
  ws = makeWorkspace({ environment: 'sentinel-start', host: { ports: [hostPort] }, services: {} });
  host = await startHeadless(ws);
});

after(async () => {
  await host?.stop();
  ws?.cleanup();
});

function write(text: string): void {
  const tmp = path.join(ws.dir, '.manito.json.tmp');
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(ws.dir, 'manito.json'));
}

async function snapshot(): Promise<StackSnapshot> {
  const res = await fetch(`${host.url}/api/snapshot`, { signal: AbortSignal.timeout(ANSWER_MS) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: StackSnapshot }).data;
}

async function waitFor(what: string, done: (s: StackSnapshot) => boolean): Promise<void> {
  const deadline = Date.now() + READ_MS;
  for (;;) {
    assert.equal(host.child.exitCode, null, `the host exited while waiting for ${what}\n${host.output().slice(-2000)}`);
    if (done(await snapshot())) return;
    assert.ok(Date.now() < deadline, `the host did not read ${what} within ${READ_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test(`${CASES} mutated manito.json files against a live host: no crash, no hang`, async () => {
  const seed = fuzzSeed();
  console.log(`host config fuzz seed ${seed} (replay: MANITO_FUZZ_SEED=${seed} MANITO_FUZZ_CASES=${CASES})`);
  const random = rng(seed);
  for (let i = 0; i < CASES; i++) {
    const c = fuzzCase(random);
    const where = `seed ${seed}, case ${i} (${c.kind})`;
    const sentinel = `sentinel-${i}`;
    write(JSON.stringify({ environment: sentinel, host: { ports: [hostPort] }, services: {} }));
    await waitFor(`${where}: the valid file before it`, (s) => s.environment === sentinel && s.configErrors.length === 0);
    write(c.text);
    // Read: it brought errors, or it was valid and so replaced the sentinel.
    await waitFor(where, (s) => s.configErrors.length > 0 || s.environment !== sentinel);
    const health = await fetch(`${host.url}/api/health`, { signal: AbortSignal.timeout(ANSWER_MS) });
    assert.equal(health.status, 200, where);
  }
  const status = fs.readFileSync(`/proc/${host.child.pid}/status`, 'utf8');
  const peakMb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
  console.log(`host peak RSS ${peakMb.toFixed(1)} MB after ${CASES} cases`);
  assert.ok(peakMb < 150, `host peak RSS ${peakMb.toFixed(1)} MB`);
});
