// The one-line warning of `manito up` / `manito status`: literal ports only (a fallback of a
// variable already read is fine), the count, the first as path:line:col, and the command that fixes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hardcodedPortsNote } from '../../../cli/scan/hardcodedNote';
import { scanText } from '../../../server/infer/portScan';

test('a literal listen port is named with its place and `manito scan --fix`; the folder as the user typed it', () => {
  const findings = [...scanText('server.js', 'app.listen(3000);\n'), ...scanText('web/api.ts', "fetch('http://localhost:4000/x')\n")];
  assert.equal(hardcodedPortsNote(findings, undefined),
    "2 hard-coded ports in the code bypass Manito's allocation (first at server.js:1:5); run `manito scan --fix` to make the code read the environment");
  assert.match(hardcodedPortsNote(findings.slice(0, 1), 'examples/app')!, /^1 hard-coded port in the code bypasses Manito's allocation \(at server\.js:1:5\); run `manito scan examples\/app --fix`/);
});

test('no warning when every port is a fallback of a variable the code reads, or there is none', () => {
  assert.equal(hardcodedPortsNote(scanText('server.js', 'app.listen(process.env.PORT ?? 3000);\n'), undefined), null);
  assert.equal(hardcodedPortsNote([], undefined), null);
});
