// Extension figures: the packaged .vsix (size, file count, bundle size) and activation in a real
// code-server workbench opening examples/fullstack: activate() itself, activation to the host
// answering, and page load to the status bar showing the ports (what a user waits for).
// Runs a few rounds and prints medians. Needs code-server (scripts/install-code-server.sh) and Chromium.
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, Workbench } from '../test/editor/harness/browser';
import { startCodeServer } from '../test/editor/harness/codeServer';
import { repoRoot } from '../test/editor/harness/paths';
import { ensureVsix, listZip } from '../test/editor/harness/vsix';

const ROUNDS = Number(process.env.MANITO_BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function findLogLines(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.log')) out.push(...readFileSync(p, 'utf8').split('\n').filter((l) => pattern.test(l)));
    }
  };
  walk(dir);
  return out;
}

async function main(): Promise<void> {
  const vsix = await ensureVsix();
  const entries = listZip(vsix);
  const bundle = entries.find((e) => e.name === 'extension/dist/extension.js');
  console.log(`vsix: ${kib(statSync(vsix).size)}, ${entries.length} files; dist/extension.js ${bundle ? kib(bundle.size) : 'missing'}`);

  const activate: number[] = [];
  const hostUp: number[] = [];
  const visible: number[] = [];
  const browser = await launchBrowser();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const stateDir = join(repoRoot, '.cache', `bench-state-${process.pid}-${round}`);
      const server = await startCodeServer({ vsix: [vsix], env: { MANITO_STATE_DIR: stateDir } });
      try {
        const started = Date.now();
        const workbench = await Workbench.open(browser, server, join(repoRoot, 'examples', 'fullstack'));
        await workbench.waitForStatusBarItem(/server \d+/);
        visible.push(Date.now() - started);
        await workbench.close();
        // Manito's output channel: "activated in N ms, serving …" and "host started for <folder> (N ms)".
        const lines = findLogLines(server.userDataDir, /\] (activated in \d+ ms|host started for .* \(\d+ ms\))/);
        const a = lines.map((l) => /activated in (\d+) ms/.exec(l)?.[1]).find(Boolean);
        const h = lines.map((l) => /host started for .* \((\d+) ms\)/.exec(l)?.[1]).find(Boolean);
        if (a) activate.push(Number(a));
        if (h) hostUp.push(Number(h));
      } finally {
        await server.stop();
        rmSync(stateDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`activate() (median of ${activate.length}): ${activate.length ? `${median(activate)} ms` : 'not found in the logs'}`);
  console.log(`host start to its language client answering (median of ${hostUp.length}): ${hostUp.length ? `${median(hostUp)} ms` : 'not found in the logs'}`);
  console.log(`page load to ports in the status bar (median of ${visible.length}): ${median(visible)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
