// Reading compose files: the standard names, broken YAML (line and column), and every bound
// (size, flow nesting, depth, alias expansion) answered with a problem in well under a second.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { COMPOSE_LIMITS, findComposeFile, parseComposeText, readComposeFile, type ReadResult } from '../../../server/compose/composeFile';

function tempDir(t: { after(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-compose-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function problems(result: ReadResult) {
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

test('finds the compose file by the standard names, compose.yaml first', (t) => {
  const dir = tempDir(t);
  assert.equal(findComposeFile(dir), undefined);
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), 'services: {}\n');
  assert.equal(findComposeFile(dir), path.join(dir, 'docker-compose.yml'));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services: {}\n');
  assert.equal(findComposeFile(dir), path.join(dir, 'compose.yaml'));
  fs.mkdirSync(path.join(dir, 'sub', 'compose.yml'), { recursive: true });
  assert.equal(findComposeFile(path.join(dir, 'sub')), undefined, 'a folder with the name is not a file');
});

test('broken YAML is a problem with line and column', () => {
  const [p] = problems(parseComposeText('services:\n  web:\n    image: x\n   ports: [1\n', '/w/compose.yaml', '/w'));
  assert.match(p!.message, /^\/w\/compose\.yaml: /);
  assert.equal(p!.line, 4);
  assert.ok(p!.column >= 1);
  const [dup] = problems(parseComposeText('services:\n  web: {}\n  web: {}\n', 'f', '/w'));
  assert.match(dup!.message, /unique/i);
  assert.equal(dup!.line, 3);
  const [tab] = problems(parseComposeText('services:\n\tweb: {}\n', 'f', '/w'));
  assert.equal(tab!.line, 2);
});

test('a file that is not a mapping is one problem, not a crash', () => {
  for (const text of ['', '- a\n- b\n', '42\n', 'null\n']) assert.match(problems(parseComposeText(text, 'f', '/w'))[0]!.message, /a compose file is a mapping/, JSON.stringify(text));
});

test('bounds: size, flow nesting, block depth, alias expansion', () => {
  const started = Date.now();
  const huge = `services:\n  web:\n    image: "${'x'.repeat(COMPOSE_LIMITS.fileBytes)}"\n`;
  assert.match(problems(parseComposeText(huge, 'f', '/w'))[0]!.message, /larger than 256 KiB/);

  const flow = `services: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
  const [deepFlow] = problems(parseComposeText(flow, 'f', '/w'));
  assert.match(deepFlow!.message, /brackets nest deeper than 64 levels/);
  assert.deepEqual([deepFlow!.line, deepFlow!.column], [1, 11 + 64]);
  const maps = `a: ${'{b: '.repeat(5000)}1${'}'.repeat(5000)}\n`;
  assert.match(problems(parseComposeText(maps, 'f', '/w'))[0]!.message, /nest deeper/);

  const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
  const [deepBlock] = problems(parseComposeText(block, 'f', '/w'));
  assert.match(deepBlock!.message, /nested deeper than 64 levels/);
  assert.equal(deepBlock!.line, 65);

  const inline = `a: ${'- '.repeat(20_000)}x\n`;
  assert.ok(problems(parseComposeText(inline, 'f', '/w')).length > 0);

  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [i, c] of ['b', 'c', 'd', 'e', 'f', 'g', 'h'].entries()) laughs.push(`${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`);
  assert.match(problems(parseComposeText(laughs.join('\n'), 'f', '/w'))[0]!.message, /alias|resource exhaustion/i);
  assert.ok(Date.now() - started < 15_000, `bounds answered in ${Date.now() - started} ms`);
});

test('brackets inside quotes, comments and plain text do not count as nesting', () => {
  const text = [
    'services:',
    `  web:  # ${'['.repeat(100)}`,
    `    command: "${'['.repeat(100)}"`,
    `    entrypoint: '${'{'.repeat(100)}'`,
    `    working_dir: /a${'['.repeat(100)}`,
    '    ports: [ "8080:80", {target: 81, published: 8081} ]',
  ].join('\n');
  const result = parseComposeText(text, 'f', '/w');
  assert.equal(result.ok, true, JSON.stringify(result));
});

test('reading from disk: a missing file, a FIFO and an oversized file are problems, never a hang', (t) => {
  const dir = tempDir(t);
  assert.match(problems(readComposeFile(path.join(dir, 'nope.yaml')))[0]!.message, /Cannot read .*ENOENT/);
  const big = path.join(dir, 'big.yaml');
  fs.writeFileSync(big, `# ${'x'.repeat(COMPOSE_LIMITS.fileBytes)}\n`);
  assert.match(problems(readComposeFile(big))[0]!.message, /larger than/);
  if (process.platform !== 'win32') {
    const fifo = path.join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    assert.match(problems(readComposeFile(fifo))[0]!.message, /not a regular file/);
  }
  const good = path.join(dir, 'compose.yaml');
  fs.writeFileSync(good, 'services:\n  web:\n    image: nginx\n');
  const result = readComposeFile(good);
  assert.ok(result.ok);
  if (result.ok) {
    assert.equal(result.document.dir, dir);
    assert.deepEqual(result.document.positionOf(['services', 'web', 'image']), { line: 3, column: 12 });
    assert.deepEqual(result.document.positionOf(['services', 'web', 'nothing', 'here']), { line: 3, column: 5 });
  }
});
