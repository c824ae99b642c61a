// Settings as users write them: the renamed host.ports wins over the old host.port, the old name
// alone still works with a note, and wrong types or ranges fall back with a note naming the setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RESTART_LIMIT, needsHostRestart, readSettings } from '../../../extension/settingsValues';

test('nothing set: the default range and restart limit, no notes', () => {
  assert.deepEqual(readSettings({ ports: undefined, legacyPort: undefined, restartLimit: undefined }), { hostPorts: [], restartLimit: DEFAULT_RESTART_LIMIT, notes: [] });
});

test('manito.host.ports is read as given, duplicates dropped', () => {
  const s = readSettings({ ports: [41800, 41801, 41800], legacyPort: undefined, restartLimit: 3 });
  assert.deepEqual(s.hostPorts, [41800, 41801]);
  assert.equal(s.restartLimit, 3);
  assert.deepEqual(s.notes, []);
});

test('the old manito.host.port is still read, with a note to rename it', () => {
  const s = readSettings({ ports: undefined, legacyPort: [42000], restartLimit: undefined });
  assert.deepEqual(s.hostPorts, [42000]);
  assert.match(s.notes.join('\n'), /manito\.host\.port is deprecated: rename it to manito\.host\.ports/);
});

test('the new name wins when both are set, even when it is set to empty', () => {
  assert.deepEqual(readSettings({ ports: [41900], legacyPort: [42000], restartLimit: undefined }).hostPorts, [41900]);
  const empty = readSettings({ ports: [], legacyPort: [42000], restartLimit: undefined });
  assert.deepEqual(empty.hostPorts, []);
  assert.deepEqual(empty.notes, []);
});

test('a single number for the port list is taken as a list of one', () => {
  assert.deepEqual(readSettings({ ports: 41850, legacyPort: undefined, restartLimit: undefined }).hostPorts, [41850]);
});

test('bad values fall back with notes that name the setting and the value', () => {
  const s = readSettings({ ports: [80, 'x', 41870, 70000], legacyPort: undefined, restartLimit: 0 });
  assert.deepEqual(s.hostPorts, [41870]);
  assert.equal(s.restartLimit, DEFAULT_RESTART_LIMIT);
  assert.deepEqual(s.notes, [
    'manito.host.ports: 80 is not a port from 1024 to 65535; ignored',
    'manito.host.ports: "x" is not a port from 1024 to 65535; ignored',
    'manito.host.ports: 70000 is not a port from 1024 to 65535; ignored',
    'manito.host.restartLimit must be an integer of 1 or more, got 0; using 5',
  ]);
  assert.match(readSettings({ ports: 'many', legacyPort: undefined, restartLimit: 2.5 }).notes.join('\n'), /manito\.host\.ports must be a list of ports, got "many"[\s\S]*restartLimit must be an integer of 1 or more, got 2\.5/);
});

test('only a change of host ports needs the host restarted', () => {
  const a = readSettings({ ports: [41800], legacyPort: undefined, restartLimit: 5 });
  assert.equal(needsHostRestart(a, readSettings({ ports: [41800], legacyPort: undefined, restartLimit: 2 })), false);
  assert.equal(needsHostRestart(a, readSettings({ ports: [41801], legacyPort: undefined, restartLimit: 5 })), true);
  assert.equal(needsHostRestart(a, readSettings({ ports: undefined, legacyPort: [41800], restartLimit: 5 })), false, 'same ports under the old name');
});
