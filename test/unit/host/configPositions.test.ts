// manito.json problems become places in the file: syntax errors by offset, validation errors by
// JSON path; the watcher keeps the last good config while the file is broken.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_STACK } from '../../../protocol/config';
import { parseJsonPath } from '../../../server/config/configPositions';
import { ConfigWatcher, parseConfigText } from '../../../server/config/loadConfig';
import { validateStack } from '../../../server/config/validateStack';

test('parseJsonPath reads dotted, indexed and quoted paths', () => {
  assert.deepEqual(parseJsonPath('services.client.preferred[1]'), ['services', 'client', 'preferred', 1]);
  assert.deepEqual(parseJsonPath('services["api.gw"].kind'), ['services', 'api.gw', 'kind']);
});

test('a syntax error has the line and column of the offending token', () => {
  const text = '{\n  // the stack\n  "services": {\n    "a": { "preferred": [3000,, 3001] }\n  }\n}\n';
  const r = parseConfigText(text, validateStack);
  assert.equal(r.stack, undefined);
  assert.equal(r.problems[0].line, 4);
  assert.equal(r.problems[0].column, text.split('\n')[3].indexOf(',,') + 2);
  assert.match(r.problems[0].message, /^Syntax error: value expected/);
});

test('a validation error points at the value its path names', () => {
  const text = '{\n  "services": {\n    "client": {\n      "preferred": [5173, 70000]\n    }\n  }\n}';
  const r = parseConfigText(text, validateStack);
  assert.ok(r.problems.length >= 1);
  const p = r.problems.find((x) => x.path === 'services.client.preferred[1]');
  assert.ok(p, JSON.stringify(r.problems));
  assert.equal(p.line, 4);
  assert.equal(p.column, text.split('\n')[3].indexOf('70000') + 1);
});

test('comments and trailing commas are accepted', () => {
  const r = parseConfigText('{ /* c */ "services": { "a": { "preferred": [3000], }, }, }', validateStack);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.stack!.services.a.preferred, [3000]);
});

test('the watcher serves the default, then the file, then keeps the last good one while broken', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-config-'));
  try {
    const w = new ConfigWatcher({ workspace: dir, validate: validateStack });
    assert.equal(w.state.source, 'default');
    assert.equal(w.state.stack, DEFAULT_STACK);
    fs.writeFileSync(path.join(dir, 'manito.json'), '{ "services": { "a": { "preferred": [3000] } } }');
    assert.equal(w.reload(), true);
    assert.equal(w.state.source, 'file');
    const good = w.state.stack;
    fs.writeFileSync(path.join(dir, 'manito.json'), '{ "services": ');
    w.reload();
    assert.equal(w.state.stack, good);
    assert.equal(w.state.problems.length > 0, true);
    assert.equal(w.reload(), false);
    fs.rmSync(path.join(dir, 'manito.json'));
    w.reload();
    assert.equal(w.state.source, 'default');
    assert.deepEqual(w.state.problems, []);
    w.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file broken from the start serves no service, never the default stack; once valid, it is served', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-config-'));
  try {
    fs.writeFileSync(path.join(dir, 'manito.json'), '{ "services": { "api": { "preferred": [3000] }, } ');
    const w = new ConfigWatcher({ workspace: dir, validate: validateStack });
    assert.equal(w.state.source, 'none');
    assert.deepEqual(w.state.stack, { services: {} });
    assert.ok(w.state.problems.length > 0);
    // Still broken, differently: still nothing.
    fs.writeFileSync(path.join(dir, 'manito.json'), '{ "services": { "api": { "preferred": ["x"] } } }');
    w.reload();
    assert.deepEqual([w.state.source, Object.keys(w.state.stack.services)], ['none', []]);
    fs.writeFileSync(path.join(dir, 'manito.json'), '{ "services": { "api": { "preferred": [3000] } } }');
    w.reload();
    assert.deepEqual([w.state.source, Object.keys(w.state.stack.services), w.state.problems], ['file', ['api'], []]);
    // From the default (the file deleted, then written broken): nothing either.
    fs.rmSync(path.join(dir, 'manito.json'));
    w.reload();
    fs.writeFileSync(path.join(dir, 'manito.json'), '{');
    w.reload();
    assert.equal(w.state.source, 'none');
    w.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
