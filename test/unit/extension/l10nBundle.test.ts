// The English l10n bundle lists every string the extension translates and every dashboard string,
// so a translator's copy of it covers the whole UI; and the dashboard's table fills placeholders
// and survives a bad table from the wire.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DASHBOARD_STRINGS, fillTemplate, validDashboardStrings } from '../../../protocol/dashboardStrings';

const root = join(__dirname, '..', '..', '..');

test('l10n/bundle.l10n.json is up to date with the sources', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'l10n-bundle.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the bundle holds the dashboard table and strings from each wording module', () => {
  const bundle = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  for (const english of Object.values(DASHBOARD_STRINGS)) assert.equal(bundle[english], english);
  for (const sample of ['Start Stack', 'Manito: {0}', 'Runs as a process Manito started', 'Health: **{0}** since {1}', 'Manito Ports']) {
    assert.ok(sample in bundle, `missing ${sample}`);
  }
});

test('package.nls.json has every %key% package.json uses', () => {
  const manifest = readFileSync(join(root, 'package.json'), 'utf8');
  const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
  assert.ok(keys.length > 20);
  for (const key of keys) assert.equal(typeof nls[key], 'string', `package.nls.json lacks ${key}`);
});

test('templates fill numbered placeholders and leave unknown ones', () => {
  assert.equal(fillTemplate('Last {0} probes: {1} ok, {2} failed', [5, 4, 1]), 'Last 5 probes: 4 ok, 1 failed');
  assert.equal(fillTemplate('{1} before {0}', ['a', 'b']), 'b before a');
  assert.equal(fillTemplate('Start {0}', []), 'Start {0}');
});

test('a strings table from the wire keeps only known keys with string values', () => {
  assert.deepEqual(validDashboardStrings({ colPort: 'Ṗöŕţ', colHealth: 3, bogus: 'x' }), { colPort: 'Ṗöŕţ' });
  assert.deepEqual(validDashboardStrings(null), {});
  assert.deepEqual(validDashboardStrings('nope'), {});
});
