// Runs the test tiers in order: unit (pure logic), host (the built host process over JSON-RPC and
// HTTP), editor (the packaged extension in a real VS Code workbench). `node test/run.mjs [tier...]`.
// Every tier runs even if an earlier one failed; the exit code is non-zero if any test failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ALL_TIERS = ['unit', 'host', 'editor'];
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ALL_TIERS;
for (const tier of tiers) {
  if (!ALL_TIERS.includes(tier)) {
    console.error(`test/run.mjs: unknown tier "${tier}"; expected one of ${ALL_TIERS.join(', ')}`);
    process.exit(2);
  }
}

function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name === 'node_modules' || name === 'fixtures' || name === 'suite') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.test\.(ts|mjs)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

// The lint step (ESLint, every layer's typecheck, import cycles) runs with the whole suite, as
// `npm test` does; a single tier skips it so a quick run stays quick. A lint failure fails the run
// at the end, after the tiers, so one stray warning does not hide test results.
let lintFailed = false;
if (process.argv.slice(2).length === 0) {
  console.log('\n== lint ==');
  lintFailed = run('npm', ['run', '--silent', 'lint']) !== 0;
  if (lintFailed) console.error('lint failed (above); the tiers run anyway');
}

if (tiers.some((t) => t !== 'unit')) {
  console.log('\n== build ==');
  if (run('node', ['esbuild.mjs']) !== 0) {
    console.error('build failed');
    process.exit(1);
  }
}

const tapDir = mkdtempSync(join(tmpdir(), 'manito-tap-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const failedTiers = [];
for (const tier of tiers) {
  const files = testFiles(join(root, 'test', tier));
  console.log(`\n== ${tier} tier: ${files.length} file(s) ==`);
  if (files.length === 0) {
    console.error(`${tier} tier has no test files`);
    failedTiers.push(tier);
    failed++;
    continue;
  }
  const tap = join(tapDir, `${tier}.tap`);
  const status = run(process.execPath, [
    '--import', 'tsx',
    '--test',
    // Editor tests share one workbench install and two cores: run their files one at a time.
    `--test-concurrency=${tier === 'unit' ? 2 : 1}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ], { env: { ...process.env, MANITO_TEST_TIER: tier } });
  let text = '';
  try { text = readFileSync(tap, 'utf8'); } catch { /* runner died before writing */ }
  const count = (label) => Number((text.match(new RegExp(`^# ${label} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  passed += count('pass');
  failed += count('fail') + count('cancelled');
  skipped += count('skipped') + count('todo');
  if (status !== 0) {
    failedTiers.push(tier);
    if (count('fail') + count('cancelled') === 0) failed++; // the runner itself failed
  }
}
rmSync(tapDir, { recursive: true, force: true });
if (lintFailed) failedTiers.unshift('lint');
console.log(`\n${failedTiers.length ? `failed tiers: ${failedTiers.join(', ')}` : 'all tiers passed'}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedTiers.length ? 1 : 0);
