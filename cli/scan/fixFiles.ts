// `manito scan --fix`: shows the edits that make hard-coded ports read the environment as a unified
// diff, asks before writing (--yes skips the question; without a terminal to ask, nothing is written).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import type { StackConfig } from '../../protocol/config';
import { fixContextOf } from '../../server/infer/fixContext';
import { applyEdits, planFixes, type EnvNeed, type PortEdit } from '../../server/infer/portFix';
import type { Finding } from '../../server/infer/portScan';
import { newFileDiff, unifiedDiff } from '../../server/infer/unifiedDiff';
import type { CommandContext } from '../command';

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Prints the diff and writes it when allowed. Returns the env entries the fixed code needs. */
export async function fixPorts(ctx: CommandContext, root: string, files: ReadonlyMap<string, string>, findings: Finding[], stack: StackConfig): Promise<EnvNeed[]> {
  const plan = planFixes(findings, files, fixContextOf(stack));
  const byFile = new Map<string, PortEdit[]>();
  for (const e of plan.edits) byFile.set(e.path, [...(byFile.get(e.path) ?? []), e]);
  for (const file of Object.keys(plan.prepend)) if (!byFile.has(file)) byFile.set(file, []);
  const s = ctx.style;
  const results = new Map<string, string>();
  for (const [file, edits] of byFile) {
    const before = files.get(file)!;
    const prepend = plan.prepend[file] ?? [];
    const after = applyEdits(before, edits, prepend);
    results.set(file, after);
    for (const line of unifiedDiff(file, before, after, prepend.length).split('\n')) {
      ctx.out(line.startsWith('+') && !line.startsWith('+++') ? s.green(line) : line.startsWith('-') && !line.startsWith('---') ? s.red(line) : line.startsWith('@@') ? s.cyan(line) : line);
    }
  }
  for (const made of plan.create) {
    for (const line of newFileDiff(made.path, made.text).split('\n')) ctx.out(line.startsWith('+') && !line.startsWith('+++') ? s.green(line) : line.startsWith('@@') ? s.cyan(line) : line);
  }
  for (const need of plan.env) ctx.out(s.dim(`${need.service} needs env ${need.variable}=${need.value} in manito.json (Vite passes only VITE_* variables to the browser)`));
  if (plan.skipped.length) ctx.out(s.dim(`${plan.skipped.length} finding${plan.skipped.length === 1 ? '' : 's'} left as they are (already read the environment, settings, or no service owns the port).`));
  const edits = plan.edits.length + plan.create.length;
  if (edits === 0) {
    ctx.out('Nothing to rewrite.');
    return plan.env;
  }
  const fileCount = byFile.size + plan.create.length;
  const summary = `${edits} edit${edits === 1 ? '' : 's'} in ${fileCount} file${fileCount === 1 ? '' : 's'}`;
  let go = ctx.values.yes === true;
  if (!go && process.stdin.isTTY && process.stdout.isTTY) go = await confirm(`Apply ${summary}? [y/N] `);
  else if (!go) {
    ctx.out(`Not written: no terminal to ask (run with --yes to apply ${summary}).`);
    return plan.env;
  }
  if (!go) {
    ctx.out('Not written.');
    return plan.env;
  }
  for (const [file, after] of results) {
    const full = path.join(root, file);
    // Written only over the text the edits were computed from.
    if (fs.readFileSync(full, 'utf8') !== files.get(file)) {
      ctx.err(`${ctx.errStyle.red('✖')} ${file} changed since it was read; left as it is.`);
      continue;
    }
    const temp = `${full}.manito-${process.pid}`;
    fs.writeFileSync(temp, after, { mode: fs.statSync(full).mode });
    fs.renameSync(temp, full);
  }
  for (const made of plan.create) {
    // 'wx': a file that appeared since the scan is never written over.
    try {
      fs.mkdirSync(path.dirname(path.join(root, made.path)), { recursive: true });
      fs.writeFileSync(path.join(root, made.path), made.text, { flag: 'wx' });
    } catch (error) {
      ctx.err(`${ctx.errStyle.red('✖')} ${made.path} not written: ${(error as Error).message}`);
    }
  }
  ctx.out(`✅ Rewrote ${summary}.`);
  return plan.env;
}
