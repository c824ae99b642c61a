// Host lines in the Manito channel carry the same stamp as the extension's own lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostLogLine } from '../../../extension/hostLogLine';
import { formatClock, formatLogTime } from '../../../protocol/timeFormat';

const at = new Date(2026, 11, 2, 15, 3, 9);

test('the client stamp becomes the extension stamp, with the level kept when it is not Info', () => {
  assert.equal(hostLogLine('[Info  - 3:03:09 PM] ✅ web: port 3001 (fallback)', at), '[2026-12-02 15:03:09] [host] ✅ web: port 3001 (fallback)');
  assert.equal(hostLogLine('[Error - 15:03:09] health probe failed', at), '[2026-12-02 15:03:09] [host] ERROR health probe failed');
  assert.equal(hostLogLine('[Warn  - 3:03:09 PM] slow', at), '[2026-12-02 15:03:09] [host] WARN slow');
});

test('lines without a client stamp (continuations, stack traces) pass through', () => {
  assert.equal(hostLogLine('    at foo (bar.js:1:2)', at), '    at foo (bar.js:1:2)');
  assert.equal(hostLogLine('[2026-12-02 15:03:09] [extension] activated', at), '[2026-12-02 15:03:09] [extension] activated');
});

test('one clock format: the log stamp ends with the clock the tree and dashboard show', () => {
  assert.equal(formatClock(at), '15:03:09');
  assert.equal(formatLogTime(at), '2026-12-02 15:03:09');
  assert.equal(formatClock('not a time'), '');
  assert.equal(formatClock(at.toISOString()), '15:03:09');
});
