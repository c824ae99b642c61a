// Issue 13: a seeded mutation fuzzer against the real config pipeline (bounded parse, compiled schema,
// hand checks, positions, then the engine's model). Zero throws, zero hangs, every problem placed.
// Replay a failure with MANITO_FUZZ_SEED=<the printed seed>.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_BOUNDS } from '../../../protocol/configBounds';
import { parseConfigText } from '../../../server/config/loadConfig';
import { buildModel } from '../../../server/engine/plan/stackModel';
import { BASE_STACK, fuzzCase, fuzzSeed, paths, rng, setAt, SWAPS, type Json } from '../../support/configFuzz';

const CASES = 2000;
/** Not a speed target: a case that takes this long is a hang. */
const HANG_MS = 5000;

test(`${CASES} mutated manito.json texts: no throw, no hang, every problem placed`, () => {
  const seed = fuzzSeed();
  console.log(`config fuzz seed ${seed} (replay: MANITO_FUZZ_SEED=${seed})`);
  const random = rng(seed);
  const kinds = new Map<string, number>();
  let accepted = 0;
  for (let i = 0; i < CASES; i++) {
    const c = fuzzCase(random);
    const where = `seed ${seed}, case ${i} (${c.kind})`;
    const started = performance.now();
    const result = parseConfigText(c.text, undefined, '/workspace');
    if (result.stack) {
      accepted++;
      buildModel(result.stack);
    }
    const took = performance.now() - started;
    assert.ok(took < HANG_MS, `${where}: took ${Math.round(took)} ms`);
    assert.ok(result.stack !== undefined || result.problems.length > 0, `${where}: neither a stack nor a problem`);
    assert.ok(result.problems.length <= CONFIG_BOUNDS.maxReportedErrors + 1, `${where}: ${result.problems.length} problems`);
    for (const p of result.problems) {
      assert.ok(p.line >= 1 && p.column >= 1 && p.endLine >= p.line, `${where}: bad position ${JSON.stringify(p)}`);
      assert.doesNotMatch(p.message, /could not be checked/, `${where}: the pipeline threw: ${p.message}`);
      assert.ok(p.message.length < 1000, `${where}: a message of ${p.message.length} characters`);
    }
    const kind = c.kind.split(' ')[0]!;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  console.log(`accepted ${accepted} of ${CASES}; ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  assert.ok(kinds.size >= 8, 'every kind of mutation was tried');
});

test('every field of a full stack swapped for every odd value: no throw, each problem placed at the field or above it', () => {
  const base = BASE_STACK as unknown as Json;
  let cases = 0;
  for (const at of paths(base)) {
    for (const swap of SWAPS) {
      const text = JSON.stringify(setAt(base, at, swap), null, 2);
      const result = parseConfigText(text, undefined, '/workspace');
      cases++;
      for (const p of result.problems) {
        assert.ok(p.line >= 1 && p.column >= 1, `${at.join('.')} = ${JSON.stringify(swap)}: ${JSON.stringify(p)}`);
        assert.doesNotMatch(p.message, /could not be checked/, `${at.join('.')} = ${JSON.stringify(swap)}: the pipeline threw`);
      }
      if (result.stack) buildModel(result.stack);
    }
  }
  assert.ok(cases > 1000, `${cases} swaps`);
});
