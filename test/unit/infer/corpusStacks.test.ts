// The stack inferred from each corpus repository is the one written by hand in its expected.json:
// the same services, kinds, ports, folders, commands, dependencies and wired variables; every
// service has a health check, and the stack is a manito.json the host accepts.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { validateStack } from '../../../server/config/validateStack';
import { inferStack } from '../../../server/infer/inferStack';
import { checkout, corpusRepos, removeCheckouts } from './corpusRepos';

after(removeCheckouts);

for (const r of corpusRepos()) {
  test(`${r.folder} (${r.repo}): the inferred stack`, (t) => {
    const dir = checkout(r);
    if (dir === null) {
      t.skip(`no snapshot of ${r.repo} on this machine`);
      return;
    }
    // What the repository says (`yarn run dev` for a yarn.lock), whichever tools this machine has.
    const result = inferStack(dir, undefined, () => true);
    assert.ok(result.found, `nothing inferred: ${result.found ? '' : result.reason}`);
    const { stack, provenance } = result;
    assert.deepEqual(Object.keys(stack.services).sort(), Object.keys(r.expected.stack).sort());
    for (const [name, want] of Object.entries(r.expected.stack)) {
      const got = stack.services[name]!;
      const shown = `${name}: ${JSON.stringify(got)}`;
      assert.equal(got.kind, want.kind, shown);
      assert.equal(got.preferred?.[0], want.port, shown);
      assert.equal(got.cwd ?? null, want.cwd, shown);
      assert.equal(got.command ?? null, want.command, shown);
      assert.deepEqual([...(got.dependsOn ?? [])].sort(), [...(want.dependsOn ?? [])].sort(), shown);
      for (const [key, value] of Object.entries(want.env ?? {})) assert.equal(got.env?.[key], value, `${shown}: env ${key}`);
      assert.ok(got.health, `${name} has a health check`);
      assert.ok(provenance[name]!.from.length > 0 && provenance[name]!.port, `${name} says where it comes from`);
      for (const key of Object.keys(got.env ?? {})) assert.ok(provenance[name]!.env[key], `${name}: env ${key} says why`);
    }
    assert.deepEqual(validateStack(stack), []);
  });
}
