// Host lines in the Manito channel: the client's own stamp dropped (the LogOutputChannel stamps every
// line, the extension's and the host's alike), the level kept, "[host]" first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostLogLine, LineBuffer } from '../../../extension/hostLogLine';
import { formatClock, formatLogTime } from '../../../protocol/timeFormat';

const at = new Date(2026, 11, 2, 15, 3, 9);

test('the client stamp is dropped and its level kept', () => {
  assert.deepEqual(hostLogLine('[Info  - 3:03:09 PM] ✅ web: port 3001 (fallback)'), { level: 'info', text: '[host] ✅ web: port 3001 (fallback)' });
  assert.deepEqual(hostLogLine('[Error - 15:03:09] health probe failed'), { level: 'error', text: '[host] health probe failed' });
  assert.deepEqual(hostLogLine('[Warn  - 3:03:09 PM] slow'), { level: 'warn', text: '[host] slow' });
});

test('raw host output is logged at info; blank lines are dropped', () => {
  assert.deepEqual(hostLogLine('✅ api: port 4000 (preferred)'), { level: 'info', text: '[host] ✅ api: port 4000 (preferred)' });
  assert.equal(hostLogLine(''), undefined);
  assert.equal(hostLogLine('   '), undefined);
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
