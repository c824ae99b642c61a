// Which folders of a workspace get a host, and what changes when folders or manito.json files come
// and go: decided without VS Code (extension/folderSelection.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldersToServe, reconcile } from '../../../extension/folderSelection';

const f = (key: string, hasConfig: boolean, local = true) => ({ key, hasConfig, local });

test('every local folder with a manito.json is served; the others are not', () => {
  assert.deepEqual(foldersToServe([f('a', true), f('docs', false), f('b', true)]), ['a', 'b']);
  assert.deepEqual(foldersToServe([f('remote', true, false), f('b', true)]), ['b'], 'a virtual folder cannot run a host');
});

test('with no manito.json anywhere, the first local folder keeps the embedded default stack', () => {
  assert.deepEqual(foldersToServe([f('one', false)]), ['one'], 'a single-folder window as always');
  assert.deepEqual(foldersToServe([f('virtual', false, false), f('a', false), f('b', false)]), ['a']);
  assert.deepEqual(foldersToServe([]), []);
  assert.deepEqual(foldersToServe([f('virtual', false, false)]), []);
});

test('reconcile: hosts to start for added folders, hosts to stop for removed ones, none for the rest', () => {
  assert.deepEqual(reconcile(['a', 'b'], ['a', 'b']), { add: [], remove: [] });
  assert.deepEqual(reconcile(['a'], ['a', 'c']), { add: ['c'], remove: [] });
  assert.deepEqual(reconcile(['a', 'b'], ['b']), { add: [], remove: ['a'] });
  // A manito.json created in a second folder: the default-stack host of the first goes, the configured one comes.
  assert.deepEqual(reconcile(foldersToServe([f('a', false), f('b', false)]), foldersToServe([f('a', false), f('b', true)])), { add: ['b'], remove: ['a'] });
});
