// The usage record: counting, bounds, and the file kept across restarts (atomic writes, broken or
// foreign files ignored with a warning, never fatal).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { countContest, USAGE_LIMITS } from '../../../server/metrics/usageRecord';
import { UsageStore, usageFile } from '../../../server/metrics/usageStore';
import type { PortUsage } from '../../../protocol/usage';

function tempState(t: { after(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-usage-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

test('contests are counted per port, by service, cause and holder; a process is known by its command', () => {
  const ports = new Map<number, PortUsage>();
  countContest(ports, { port: 3000, service: 'server', cause: 'fallback', holder: { pid: 10, command: 'vite' } }, at(1));
  countContest(ports, { port: 3000, service: 'server', cause: 'moved', holder: { pid: 11, command: 'vite' } }, at(2));
  countContest(ports, { port: 3000, service: 'api', cause: 'fallback', holder: { service: 'web', workspace: '/ws2', pid: 99 } }, at(3));
  countContest(ports, { port: 3000, service: 'api', cause: 'failed' }, at(4));
  const p = ports.get(3000)!;
  assert.equal(p.count, 4);
  assert.equal(p.firstSeen, at(1).toISOString());
  assert.equal(p.lastSeen, at(4).toISOString());
  assert.deepEqual(p.causes, { fallback: 2, moved: 1, failed: 1 });
  assert.deepEqual(p.services, [{ service: 'server', count: 2 }, { service: 'api', count: 2 }]);
  assert.deepEqual(p.holders.map((h) => [h.kind, h.count, h.pid, h.command ?? h.service]), [
    ['unknown', 1, undefined, undefined],
    ['workspace', 1, 99, 'web'],
    ['process', 2, 11, 'vite'],
  ]);
});

test('bounds: ports, holders per port and services per port keep the most seen; text is clipped', () => {
  const ports = new Map<number, PortUsage>();
  for (let i = 0; i < 3; i++) countContest(ports, { port: 9999, service: 's', cause: 'fallback' }, at(0));
  for (let port = 1; port <= USAGE_LIMITS.ports + 10; port++) countContest(ports, { port, service: 's', cause: 'fallback' }, at(port));
  assert.equal(ports.size, USAGE_LIMITS.ports);
  assert.ok(ports.has(9999), 'the most contested port stays');
  for (let i = 0; i < USAGE_LIMITS.holdersPerPort + 5; i++) {
    countContest(ports, { port: 9999, service: `svc${i}`, cause: 'fallback', holder: { pid: i, command: `cmd ${i} ${'x'.repeat(1000)}` } }, at(100 + i));
  }
  const p = ports.get(9999)!;
  assert.equal(p.holders.length, USAGE_LIMITS.holdersPerPort);
  assert.ok(p.services.length <= USAGE_LIMITS.servicesPerPort);
  assert.ok(p.holders.every((h) => (h.command ?? '').length <= USAGE_LIMITS.textChars));
});

test('the record survives a restart: written atomically, read back, counted on', async (t) => {
  const state = tempState(t);
  const file = usageFile(state, '/work/app');
  const store = await UsageStore.open({ file, workspace: '/work/app', now: () => at(5), saveDelayMs: 10 });
  store.record({ port: 5432, service: 'db', cause: 'fallback', holder: { pid: 1, command: 'postgres' } });
  store.record({ port: 70000, service: 'db', cause: 'fallback' });
  await store.close();
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'no temp file is left');
  const again = await UsageStore.open({ file, workspace: '/work/app', now: () => at(6) });
  again.record({ port: 5432, service: 'db', cause: 'moved', holder: { pid: 2, command: 'postgres' } });
  const report = again.report();
  assert.equal(report.workspace, '/work/app');
  assert.equal(report.ports.length, 1);
  assert.equal(report.ports[0]!.count, 2);
  assert.equal(report.ports[0]!.holders[0]!.pid, 2);
  assert.equal(report.ports[0]!.holders[0]!.count, 2);
  await again.close();
  assert.notEqual(usageFile(state, '/work/other'), file, 'each workspace has its own file');
});

test('a broken, oversized, foreign or half-valid file is ignored or trimmed with a warning, never fatal', async (t) => {
  const state = tempState(t);
  const file = usageFile(state, '/w');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const cases: Array<[string, RegExp | null, number]> = [
    ['{"version":1,"workspace":"/w","ports":[', /not JSON/, 0],
    ['null', /not a version 1/, 0],
    [JSON.stringify({ version: 2, workspace: '/w', ports: [] }), /not a version 1/, 0],
    [JSON.stringify({ version: 1, workspace: '/elsewhere', ports: [] }), /another workspace/, 0],
    [JSON.stringify({ version: 1, workspace: '/w', ports: {} }), /no ports list/, 0],
    [JSON.stringify({ version: 1, workspace: '/w', ports: [
      { port: 80, count: 2, firstSeen: at(1).toISOString(), lastSeen: at(2).toISOString(), services: [{ service: 'web', count: 2 }, { service: 5 }], causes: { fallback: 2, bogus: 1 }, holders: [{ kind: 'process', count: 1, lastSeen: at(2).toISOString(), pid: -3 }, { kind: 'alien' }] },
      { port: 0, count: 1, firstSeen: 'x', lastSeen: 'y' },
      { port: 81, count: 1.5, firstSeen: at(1).toISOString(), lastSeen: at(1).toISOString() },
    ] }), null, 1],
    [' '.repeat(USAGE_LIMITS.fileBytes + 1), /more than/, 0],
  ];
  for (const [text, warning, kept] of cases) {
    fs.writeFileSync(file, text);
    const warnings: string[] = [];
    const store = await UsageStore.open({ file, workspace: '/w', warn: (m) => warnings.push(m) });
    if (warning) assert.match(warnings.join('\n'), warning, text.slice(0, 80));
    else assert.deepEqual(warnings, []);
    const report = store.report();
    assert.equal(report.ports.length, kept, text.slice(0, 80));
    if (kept) {
      assert.deepEqual(report.ports[0]!.services, [{ service: 'web', count: 2 }]);
      assert.deepEqual(report.ports[0]!.causes, { fallback: 2 });
      assert.deepEqual(report.ports[0]!.holders, [{ kind: 'process', count: 1, lastSeen: at(2).toISOString() }]);
    }
  }
  // A folder in the file's place: reading warns, writing warns, neither throws.
  fs.rmSync(file);
  fs.mkdirSync(file);
  const warnings: string[] = [];
  const store = await UsageStore.open({ file, workspace: '/w', warn: (m) => warnings.push(m) });
  store.record({ port: 1, service: 's', cause: 'failed' });
  await store.close();
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[1]!, /Could not save the usage record/);
});
