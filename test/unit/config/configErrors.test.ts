// What a newcomer's broken manito.json gets back: repeated keys placed by line and column, every
// problem at once (the schema's and the stack rules'), "did you mean" for a typo of a key, and an
// empty command refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../../server/config/loadConfig';
import { validateStack } from '../../../server/config/validateStack';
import { editDistance, nearestName } from '../../../server/config/nearestName';

const problems = (text: string) => parseConfigText(text).problems.map((p) => `${p.line}:${p.column} ${p.message}`);

test('a repeated key is an error at the later key, naming where the first stands; plain JSON and JSONC alike', () => {
  const text = '{\n  "services": {\n    "api": { "preferred": [3000], "command": "node a.js" },\n    "api": { "preferred": [3001] }\n  }\n}\n';
  assert.deepEqual(problems(text), ['4:5 duplicate key "api": also at line 3, column 5; only the last would count']);
  // Comments take the other (bounded) path: the same answer.
  assert.deepEqual(problems(`// stack\n${text}`), ['5:5 duplicate key "api": also at line 4, column 5; only the last would count']);
  const inService = '{ "services": { "api": { "command": "a", "preferred": [3000], "command": "b" } } }';
  assert.deepEqual(problems(inService), ['1:63 duplicate key "command": also at line 1, column 26; only the last would count']);
  assert.equal(parseConfigText(text).stack, undefined, 'no stack is served from a file with a repeated key');
  // The same name in two different objects is no repetition.
  assert.deepEqual(problems('{ "services": { "a": { "preferred": [3000] }, "b": { "preferred": [3001] } } }'), []);
});

test('every problem in one pass: a typo, a schema fault and a stack rule in other services, and a repeated key', () => {
  const text = [
    '{',
    '  "services": {',
    '    "api": { "prefered": [3000] },',
    '    "web": { "preferred": [5173], "dependsOn": ["db"] },',
    '    "worker": { "preferred": ["x"] },',
    '    "web": { "preferred": [5173], "dependsOn": ["db"] }',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(problems(text), [
    '3:14 api: unknown key "prefered"; did you mean "preferred"?',
    '4:49 web: dependsOn names unknown service "db"',
    '5:31 worker: preferred[0]: A port number is an integer from 1 to 65535, got "x"',
    '6:5 duplicate key "web": also at line 4, column 5; only the last would count',
  ]);
  // A service the schema faults is still a name others may depend on: no second, false "unknown service".
  assert.deepEqual(validateStack({ services: { db: { preferred: 'x' }, api: { dependsOn: ['db'] } } }).map((i) => i.message), ['db: preferred must be an array, got "x"']);
});

test('an unknown key gets the known key fewest edits away, at every level; none when nothing is close', () => {
  const messages = validateStack({ strategie: 'minimal', services: { a: { comand: 'x', health: { type: 'http', pth: '/' }, zzzzzz: 1 } } }).map((i) => i.message);
  assert.deepEqual(messages.sort(), [
    'a: unknown key "comand"; did you mean "command"?',
    'a: unknown key "pth" in health; did you mean "path"?',
    'a: unknown key "zzzzzz"',
    'unknown key "strategie"; did you mean "strategy"?',
  ]);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('DependsOn', 'dependson'), 0);
  assert.equal(nearestName('dependOn', ['preferred', 'dependsOn']), 'dependsOn');
  assert.equal(nearestName('x'.repeat(1000), ['x']), undefined);
  assert.equal(nearestName('', ['a']), 'a');
});

test('an empty or blank command is an error; leaving command out is not', () => {
  assert.deepEqual(validateStack({ services: { a: { command: '' }, b: { command: '  ' }, c: { preferred: [3000] } } }).map((i) => `${i.path}: ${i.message}`), [
    'services.a.command: a: command must not be empty (leave it out to only allocate and watch the port), got ""',
    'services.b.command: b: command must not be empty (leave it out to only allocate and watch the port), got "  "',
  ]);
});

test('a mistyped service name in dependsOn or inheritFrom gets the nearest service; hints stop after the first twenty', () => {
  assert.deepEqual(validateStack({ services: { api: {}, web: { dependsOn: ['apii'] }, ws: { inheritFrom: 'zzzz' } } }).map((i) => i.message), [
    'web: dependsOn names unknown service "apii"; did you mean "api"?',
    'ws: inheritFrom names unknown service "zzzz"',
  ]);
  const services: Record<string, object> = { api: {} };
  for (let i = 0; i < 30; i++) services[`s${i}`] = { dependsOn: ['apii'] };
  const hinted = validateStack({ services }).filter((i) => i.message.endsWith('did you mean "api"?'));
  assert.equal(hinted.length, 20);
});
