// Host lines in the Manito channel carry the same stamp as the extension's own lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostLogLine, LineBuffer } from '../../../extension/hostLogLine';
import { formatClock, formatLogTime } from '../../../protocol/timeFormat';

const at = new Date(2026, 11, 2, 15, 3, 9);

test('the client stamp becomes the extension stamp, with the level kept when it is not Info', () => {
  assert.equal(hostLogLine('[Info  - 3:03:09 PM] ✅ web: port 3001 (fallback)', at), '[2026-12-02 15:03:09] [host] ✅ web: port 3001 (fallback)');
  assert.equal(hostLogLine('[Error - 15:03:09] health probe failed', at), '[2026-12-02 15:03:09] [host] ERROR health probe failed');
  assert.equal(hostLogLine('[Warn  - 3:03:09 PM] slow', at), '[2026-12-02 15:03:09] [host] WARN slow');
});

test('raw host output gets the stamp; empty lines stay empty', () => {
  assert.equal(hostLogLine('✅ api: port 4000 (preferred)', at), '[2026-12-02 15:03:09] [host] ✅ api: port 4000 (preferred)');
  assert.equal(hostLogLine('', at), '');
});

test('chunks become whole lines; a partial line waits for its end', () => {
  const buffer = new LineBuffer();
  assert.deepEqual(buffer.push('🔧 Initializing'), []);
  assert.deepEqual(buffer.push(' dynamic port manager...\n✅ web: port 3001\r\n✅ ap'), ['🔧 Initializing dynamic port manager...', '✅ web: port 3001']);
  assert.deepEqual(buffer.push('i: port 4000\n'), ['✅ api: port 4000']);
});

test('one clock format: the log stamp ends with the clock the tree and dashboard show', () => {
  assert.equal(formatClock(at), '15:03:09');
  assert.equal(formatLogTime(at), '2026-12-02 15:03:09');
  assert.equal(formatClock('not a time'), '');
  assert.equal(formatClock(at.toISOString()), '15:03:09');
});
