// The lease file on disk: a sealed text is told from a torn one; a torn or corrupt file gives way
// to the previous whole one (the spare), else to nothing; a writer killed between its two renames
// leaves nothing that stops the next one; a file rewritten under the lock's holder is never
// answered with the older spare (that would bring released leases back).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
// The module object itself, whose readFileSync a test replaces to inject a writer (the namespace is read-only).
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, mock, test } from 'node:test';
import { seal, SealedFile, unseal } from '../../../server/engine/sealedFile';

let dir = '';
let file = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-sealed-'));
  file = path.join(dir, 'leases.json');
});

const body = (n: number) => JSON.stringify({ version: 1, leases: Array.from({ length: n }, (_, i) => ({ service: `s${i}` })) });

test('seal (pure): still JSON; unseal gives the body back, and null for any cut or changed text', () => {
  const sealed = seal(body(3));
  assert.deepEqual(JSON.parse(sealed).leases, JSON.parse(body(3)).leases);
  assert.equal(unseal(sealed), body(3));
  for (let cut = 1; cut < sealed.length; cut++) assert.equal(unseal(sealed.slice(0, cut)), null, `cut at ${cut}`);
  assert.equal(unseal(sealed.replace('s1', 's9')), null);
  assert.equal(unseal(''), '');
  assert.equal(unseal(body(2)), body(2), 'a hand-written file without a seal is taken when it is JSON');
  assert.equal(unseal('{ not json'), null);
  assert.equal(unseal('\0\0\0\0'), null, 'blocks that never reached the disk');
  assert.throws(() => seal('{}'), TypeError);
  assert.throws(() => seal('[1]'), TypeError);
});

test('each write leaves the new body in the file and the one before it as the spare, both 0600', () => {
  const disk = new SealedFile(file);
  assert.equal(disk.read(), '');
  disk.write(body(1));
  disk.write(body(2));
  disk.write(body(3));
  assert.equal(disk.read(), body(3));
  assert.equal(unseal(fs.readFileSync(`${file}.spare`, 'utf8')), body(2));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['leases.json', 'leases.json.spare']);
  for (const f of [file, `${file}.spare`]) assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  // Shorter after longer: the recycled spare is cut to the new length, no old tail left behind.
  disk.write(body(1));
  assert.equal(fs.readFileSync(file, 'utf8'), seal(body(1)));
});

test('a torn file (power lost before its blocks reached the disk) gives way to the previous one', () => {
  const disk = new SealedFile(file);
  disk.write(body(4));
  disk.write(body(5));
  const whole = fs.readFileSync(file, 'utf8');
  for (const torn of [whole.slice(0, whole.length - 7), '\0'.repeat(whole.length), whole.replace('s3', 'sX')]) {
    fs.writeFileSync(file, torn);
    assert.equal(disk.readLocked(), body(4), JSON.stringify(torn.slice(0, 30)));
    assert.equal(disk.read(), body(4));
  }
  // The next write replaces the torn file; the torn one becomes the spare, which nobody trusts.
  disk.write(body(6));
  assert.equal(disk.readLocked(), body(6));
});

test('under the lock, a torn read of a file someone rewrites meanwhile throws rather than take the older spare', () => {
  const disk = new SealedFile(file);
  disk.write(body(4));
  disk.write(body(5));
  // The interleaving: the holder's read gets a torn text (a writer that wrongly believes it holds
  // the lock is halfway through), and that writer then finishes. The spare holds body(4): taking it
  // would drop body(5) and the writer's body(6) alike.
  const readFileSync = fs.readFileSync;
  let interleaved = false;
  mock.method(fsModule, 'readFileSync', (...args: Parameters<typeof fs.readFileSync>) => {
    if (interleaved || args[0] !== file) return readFileSync(...args);
    interleaved = true;
    new SealedFile(file).write(body(6));
    return seal(body(6)).slice(0, 20);
  });
  try {
    assert.throws(() => disk.readLocked(), /rewritten while its lock was held \(now whole\): not falling back to an older copy/);
  } finally {
    mock.restoreAll();
  }
  assert.ok(interleaved);
  assert.equal(disk.readLocked(), body(6), 'nothing lost: the next transaction reads the writer\'s file');
});

test('a corrupt file with no good spare reads as empty: start over rather than block every host', () => {
  fs.writeFileSync(file, '{ not json');
  const disk = new SealedFile(file);
  assert.equal(disk.readLocked(), '');
  fs.writeFileSync(`${file}.spare`, '{"sum":"0000000000000000","version":1}');
  assert.equal(disk.readLocked(), '');
  disk.write(body(1));
  assert.equal(disk.readLocked(), body(1));
});

test('a writer killed between its renames (spare gone, the old file linked aside) is recovered and then healed', () => {
  const disk = new SealedFile(file);
  disk.write(body(1));
  disk.write(body(2));
  // What the kill leaves: the old file only under the aside name, no spare.
  fs.renameSync(`${file}.spare`, `${file}.prev`);
  fs.writeFileSync(file, 'torn');
  assert.equal(disk.readLocked(), body(1), 'the aside link stands in for the spare');
  disk.write(body(3));
  assert.equal(disk.readLocked(), body(3));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['leases.json', 'leases.json.spare']);
});
