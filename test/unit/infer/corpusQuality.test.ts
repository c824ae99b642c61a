// Scan quality on real repositories: recall and precision of the hard-coded port scan against the
// findings written by hand (test/fixtures/corpus), at least 95% each over at least 10 repositories,
// and each port tied to the service it belongs to. Prints each repository's misses and false hits.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { inferFromFiles } from '../../../server/infer/inferStack';
import { scanFiles } from '../../../server/infer/portScan';
import { readProjectFiles } from '../../../server/infer/projectFiles';
import { checkout, corpusRepos, removeCheckouts, snapshotOf } from './corpusRepos';

after(removeCheckouts);

const repos = corpusRepos();
const missing = repos.filter((r) => checkout(r) === null);

test('the corpus holds at least 10 repositories of different shapes', () => {
  assert.ok(repos.length >= 10, `${repos.length} repositories in SOURCES`);
});

test('scan recall and precision are at least 95% over the corpus', (t) => {
  if (missing.length) {
    t.skip(`no snapshot on this machine of ${missing.map((r) => `${r.repo} (${snapshotOf(r.repo)})`).join(', ')}`);
    return;
  }
  let hits = 0;
  let expectedTotal = 0;
  let foundTotal = 0;
  const lines: string[] = [];
  const wrongService: string[] = [];
  for (const r of repos) {
    const { files, truncated } = readProjectFiles(checkout(r)!);
    const findings = scanFiles(files);
    const key = (at: string, port: number) => `${at} ${port}`;
    const found = new Set(findings.map((f) => key(`${f.path}:${f.line}`, f.port)));
    const expected = new Set(r.expected.findings.map((f) => key(f.at, f.port)));
    const misses = [...expected].filter((k) => !found.has(k));
    const falseHits = [...found].filter((k) => !expected.has(k));
    const tp = expected.size - misses.length;
    hits += tp;
    expectedTotal += expected.size;
    foundTotal += found.size;
    const pct = (n: number, d: number) => (d === 0 ? '100.0' : ((100 * n) / d).toFixed(1));
    lines.push(`${r.folder.padEnd(28)} recall ${pct(tp, expected.size).padStart(5)}% (${tp}/${expected.size})  precision ${pct(tp, found.size).padStart(5)}% (${tp}/${found.size})`);
    for (const m of misses) lines.push(`    missed     ${m}`);
    for (const f of falseHits) lines.push(`    false hit  ${f}`);
    // Each port belongs to the service the person named: the one whose port it is.
    const inferred = inferFromFiles(files, { findings, truncated });
    const services = inferred.found ? inferred.stack.services : {};
    for (const f of r.expected.findings) {
      const owner = Object.entries(services).find(([, s]) => s.preferred?.[0] === f.port)?.[0];
      if (f.service === null ? owner !== undefined : !(f.service in services) || (owner !== undefined && owner !== f.service)) {
        wrongService.push(`${r.folder} ${f.at} ${f.port}: expected ${f.service ?? 'no service'}, inferred ${owner ?? 'none'} (services: ${Object.keys(services).join(', ')})`);
      }
    }
  }
  const recall = hits / expectedTotal;
  const precision = hits / foundTotal;
  lines.push(`ALL ${repos.length} repositories: recall ${(100 * recall).toFixed(1)}% (${hits}/${expectedTotal}), precision ${(100 * precision).toFixed(1)}% (${hits}/${foundTotal})`);
  for (const line of lines) t.diagnostic(line);
  assert.ok(recall >= 0.95, `recall ${recall}`);
  assert.ok(precision >= 0.95, `precision ${precision}`);
  assert.deepEqual(wrongService, []);
});
