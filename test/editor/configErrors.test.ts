// manito.json errors in the real workbench: a valid config is served, then the file is broken on
// disk (an unknown dependsOn, then a syntax error). The Problems panel lists each error at its
// line and column, the Services tree shows it, the host keeps serving the last good ports, and
// fixing the file clears the problem. The shipped JSON schema checks the open file as well.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StackSnapshot } from '../../protocol/model';
import { freePort } from './harness/codeServer';
import { hostGet, liveHost, useEditorSession, until, type Workbench } from './harness';

const editorSession = useEditorSession();

/**
 * The config as a person writes it, one setting per line, so line and column are easy to read,
 * with a comment at the end: manito.json is JSON with comments, in the host and in the editor.
 */
function config(apiPort: number, workerPort: number, dependsOn: string): string {
  return [
    '{',
    '  "services": {',
    `    "api": { "preferred": [${apiPort}], "kind": "http" },`,
    '    "worker": {',
    `      "preferred": [${workerPort}],`,
    `      "dependsOn": [${dependsOn}]`,
    '    }',
    '  }',
    '}',
    '// ports: `manito ports`',
    '',
  ].join('\n');
}

/** VS Code's "[Ln 6, Col 21]" for the first occurrence of `needle` in `text` (both 1-based). */
function lineCol(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} is not in the config`);
  const line = text.slice(0, offset).split('\n').length;
  const column = offset - text.lastIndexOf('\n', offset - 1);
  return `[Ln ${line}, Col ${column}]`;
}

/** The Problems panel's rows once every one of `matches` matches a row; rows are "file dir count" and "message source [Ln, Col]". */
async function problemsOnce(workbench: Workbench, ...matches: RegExp[]): Promise<string[]> {
  let rows: string[] = [];
  // Every match is waited for: VS Code's JSON checker and the host report on their own, and under
  // load one is listed a moment after the other.
  return until(`problems matching ${matches.join(' and ')}`, async () => {
    rows = await workbench.problems();
    return matches.every((match) => rows.some((r) => match.test(r))) ? rows : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message}; Problems panel rows: ${JSON.stringify(rows)}`);
  });
}

test('config errors show in the Problems panel and the tree while the last good ports are served', { timeout: 300_000 }, async () => {
  const s = editorSession();
  const apiPort = await freePort();
  const workerPort = await freePort();
  const good = config(apiPort, workerPort, '"api"');
  const folder = s.workspace({ 'manito.json': good });
  const file = join(folder, 'manito.json');

  const workbench = await s.openWorkbench(folder);
  try {
    const portsText = `api ${apiPort} · worker ${workerPort}`;
    await workbench.waitForStatusBarItem(new RegExp(`^${portsText}$`));
    const host = await until('the host to write its discovery file', async () => liveHost(s.stateDir));
    const servedPorts = async () => {
      const { data } = await hostGet<{ data: Record<string, unknown> }>(host, '/api/ports');
      return { api: data.api, worker: data.worker };
    };
    assert.deepEqual(await servedPorts(), { api: apiPort, worker: workerPort });
    const sidebar = await workbench.openViewContainer('Manito');

    // 1. A dependsOn naming a service that does not exist.
    const unknownDep = config(apiPort, workerPort, '"nope"');
    writeFileSync(file, unknownDep);
    const at = lineCol(unknownDep, '"nope"');
    assert.equal(at, '[Ln 6, Col 21]');
    const rows = await problemsOnce(workbench, /dependsOn names unknown service "nope"/);
    const problem = rows.find((r) => /dependsOn names unknown service "nope"/.test(r))!;
    assert.ok(problem.includes(at), `the problem is not at ${at}: ${problem}`);
    assert.match(problem, /worker: dependsOn names unknown service "nope" \(services\.worker\.dependsOn\[0\]\)/);
    assert.match(problem, /\bmanito\b/, `the problem names no source: ${problem}`);
    assert.ok(rows.some((r) => /^manito\.json\b/.test(r)), `no manito.json file row: ${JSON.stringify(rows)}`);
    assert.equal(rows.filter((r) => /\[Ln \d+, Col \d+\]/.test(r)).length, 1, `one problem only: ${JSON.stringify(rows)}`);

    // The tree shows the error where the services are, and clicking it opens manito.json there.
    const errorRow = sidebar.locator('.monaco-list-row', { hasText: 'manito.json:6:21' }).first();
    await errorRow.waitFor({ state: 'visible' });
    assert.match(await errorRow.innerText(), /worker: dependsOn names unknown service "nope"/);

    // The host kept the last good config: same ports, and the status bar did not change.
    const snapshot = (await hostGet<{ data: StackSnapshot }>(host, '/api/snapshot')).data;
    assert.deepEqual(snapshot.configErrors.map((e) => [e.line, e.column]), [[6, 21]]);
    assert.deepEqual(snapshot.services.find((x) => x.name === 'worker')?.dependsOn, ['api']);
    assert.deepEqual(await servedPorts(), { api: apiPort, worker: workerPort });
    await workbench.waitForStatusBarItem(new RegExp(`^${portsText}$`));
    const shot = await workbench.screenshot('config-errors-problems');
    console.log(`screenshot: ${shot}; problem: ${problem}`);

    await errorRow.click();
    await workbench.page.locator('.tabs-container .tab.active', { hasText: 'manito.json' }).waitFor({ state: 'visible' });
    await workbench.waitForStatusBarItem(/^Ln 6, Col 21$/);
    // Opened as JSON with Comments, so the editor's own checker accepts the comment (step 3 checks that no problem is left).
    await workbench.waitForStatusBarItem(/^JSON with Comments$/);

    // 2. A syntax error: a missing comma between two services.
    const broken = good.replace('"kind": "http" },', '"kind": "http" }');
    assert.notEqual(broken, good);
    writeFileSync(file, broken);
    const syntaxAt = lineCol(broken, '"worker"');
    const syntaxRows = await problemsOnce(workbench, /Syntax error: comma expected/);
    const syntaxProblem = syntaxRows.find((r) => /Syntax error: comma expected/.test(r))!;
    assert.ok(syntaxProblem.includes(syntaxAt), `the syntax error is not at ${syntaxAt}: ${syntaxProblem}`);
    assert.ok(!syntaxRows.some((r) => /unknown service "nope"/.test(r)), `the old problem is still listed: ${JSON.stringify(syntaxRows)}`);
    assert.deepEqual(await servedPorts(), { api: apiPort, worker: workerPort });
    await workbench.waitForStatusBarItem(new RegExp(`^${portsText}$`));

    // 3. Fixed: the problem and the tree's error item go away.
    writeFileSync(file, good);
    await until('the Problems panel to be empty', async () => !(await workbench.problems()).some((r) => /\[Ln \d+, Col \d+\]/.test(r)));
    await workbench.page.locator('.part.panel .markers-panel', { hasText: 'No problems have been detected in the workspace.' }).waitFor({ state: 'visible' });
    await sidebar.locator('.monaco-list-row', { hasText: /^manito\.json:\d+:\d+/ }).first().waitFor({ state: 'hidden' });
    assert.deepEqual((await hostGet<{ data: StackSnapshot }>(host, '/api/snapshot')).data.configErrors, []);
    assert.deepEqual(await servedPorts(), { api: apiPort, worker: workerPort });
    await workbench.waitForStatusBarItem(new RegExp(`^${portsText}$`));
    await workbench.screenshot('config-errors-fixed');

    // 4. The package's JSON schema applies to manito.json (open in the editor since the click):
    // VS Code's own JSON checker flags a misspelt key beside the host's diagnostic.
    const typo = good.replace('"preferred": [' + workerPort + ']', '"prefered": [' + workerPort + ']');
    assert.notEqual(typo, good);
    writeFileSync(file, typo);
    // Both the JSON checker's problem and the host's own for the same typo must be listed.
    await problemsOnce(workbench, /Property prefered is not allowed/, /worker: unknown key "prefered"/);
    await workbench.screenshot('config-errors-schema');
    writeFileSync(file, good);
    await until('the Problems panel to be empty again', async () => !(await workbench.problems()).some((r) => /\[Ln \d+, Col \d+\]/.test(r)));
  } catch (error) {
    await workbench.failureReport('config-errors-failure');
    throw error;
  } finally {
    await workbench.close();
  }
});
