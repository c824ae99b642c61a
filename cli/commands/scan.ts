// `manito scan [dir]`: hard-coded ports that bypass the allocator, as clickable `path:line:col`,
// the stack inferred from the folder (`--write` saves it as manito.json), and `--fix`, which
// rewrites the hard-coded ports to read the environment.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, type StackConfig } from '../../protocol/config';
import { inferFromFiles } from '../../server/infer/inferStack';
import { scanFiles } from '../../server/infer/portScan';
import { DEFAULT_READ_LIMITS, readProjectFiles } from '../../server/infer/projectFiles';
import { onPath } from '../../server/infer/toolsOnPath';
import type { CliCommand } from '../command';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../output';
import { fixPorts } from '../scan/fixFiles';
import { printInferred } from '../scan/stackReport';

export const scan: CliCommand = {
  name: 'scan',
  summary: 'Find hard-coded ports, infer the stack from the folder, and write it as manito.json or fix the code',
  usage: 'scan [dir] [--json] [--write [--force]] [--fix [--yes]]',
  help: [
    'Looks for ports written into [dir] (default: the current folder): listen(3000), process.env.PORT || 8000,',
    'client options (port: 6379), localhost URLs, vite server.port, docker-compose ports: and environment:,',
    '.env files, Procfile and --port flags; skips node_modules, .git and build output, and says which',
    `files it skipped as larger than ${DEFAULT_READ_LIMITS.maxFileBytes / 1024} KiB (minified or generated code). Each finding is`,
    'printed as path:line:col (clickable in editors and terminals). Then the stack inferred from the',
    'folder: its package.json scripts (workspaces too), Python apps, docker-compose services and Procfile,',
    'each service with its port, command and where it was inferred from.',
    'Exit 0 whether or not something was found; 1 when --write would overwrite a manito.json, or',
    'has no service to write.',
    '',
    'Options:',
    '  --json    print {dir, findings, skippedTooLarge, inferred, proposal, written} as JSON',
    '  --write   create manito.json in [dir] from the inferred stack',
    '  --force   with --write: overwrite an existing manito.json',
    '  --fix     rewrite hard-coded ports to read the environment; shows the diff and asks first',
    '  --yes     with --fix: write without asking (without a terminal and --yes nothing is written)',
  ].join('\n'),
  options: { json: { type: 'boolean' }, write: { type: 'boolean' }, force: { type: 'boolean' }, fix: { type: 'boolean' }, yes: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    if (ctx.values.fix && ctx.values.json) {
      ctx.err(`manito scan: --fix shows a diff and asks; it does not combine with --json`);
      return EXIT_USAGE;
    }
    const root = path.resolve(ctx.positionals[0] ?? '.');
    if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      ctx.err(`${ctx.errStyle.red('✖')} ${root} is not a folder.`);
      return EXIT_FAILED;
    }
    const { files, truncated, tooLarge } = readProjectFiles(root);
    const findings = scanFiles(files);
    const inferred = inferFromFiles(files, { findings, truncated, hasTool: (tool) => onPath(tool) });
    const proposal: StackConfig | null = inferred.found ? inferred.stack : null;
    const target = path.join(root, CONFIG_FILE_NAME);
    const s = ctx.style;
    if (!ctx.values.json) {
      // Paths relative to where the user stands, so the terminal can open them.
      const shown = (rel: string) => path.relative(process.cwd(), path.join(root, rel)) || rel;
      for (const f of findings) ctx.out(`${s.cyan(`${shown(f.path)}:${f.line}:${f.column}`)}  ${f.message}`);
      if (findings.length) ctx.out('');
      printInferred(inferred, ctx.out, s);
      if (tooLarge.length) ctx.out(s.yellow(skippedNote(tooLarge, shown)));
    }
    if (ctx.values.fix && proposal) {
      ctx.out('');
      const needs = await fixPorts(ctx, root, files, findings, proposal);
      // The variables fixed client code reads go into the manito.json --write creates.
      for (const need of needs) {
        const svc = proposal.services[need.service];
        if (svc) svc.env = { ...(svc.env ?? {}), [need.variable]: need.value };
      }
    }
    let written: string | null = null;
    if (ctx.values.write) {
      if (!proposal) {
        ctx.err(`${ctx.errStyle.red('✖')} No service found in ${root}; not writing a ${CONFIG_FILE_NAME} without one.`);
        return EXIT_FAILED;
      }
      if (fs.existsSync(target) && !ctx.values.force) {
        ctx.err(`${ctx.errStyle.red('✖')} ${target} already exists; not overwriting it (use --force).`);
        return EXIT_FAILED;
      }
      fs.writeFileSync(target, `${JSON.stringify(proposal, null, 2)}\n`);
      written = target;
    }
    if (ctx.values.json) {
      ctx.out(JSON.stringify({ dir: root, findings, skippedTooLarge: tooLarge, inferred, proposal, written }, null, 2));
      return EXIT_OK;
    }
    ctx.out('');
    if (written) ctx.out(`✅ Wrote ${written}`);
    // With a manito.json already there, --write alone would refuse: the inferred stack is only to compare.
    else if (proposal && fs.existsSync(target)) ctx.out(s.dim(`${CONFIG_FILE_NAME} exists here and is what Manito serves; the stack above is only inferred, to compare (\`--write --force\` replaces the file with it).`));
    else if (proposal) ctx.out(s.dim(`Run \`manito scan ${ctx.positionals[0] ?? '.'} --write\` to save it as ${CONFIG_FILE_NAME}, or --json to see it.`));
    // One closing line: the count, or that there is nothing to count.
    if (findings.length === 0) ctx.out(`No hard-coded ports found in ${root}.`);
    else ctx.out(s.dim(`${findings.length} finding${findings.length === 1 ? '' : 's'} in ${root}`));
    return EXIT_OK;
  },
};

/** One line: which files were not scanned for their size (the first few by name). */
export function skippedNote(tooLarge: readonly string[], shown: (rel: string) => string): string {
  const names = tooLarge.slice(0, 5).map(shown).join(', ') + (tooLarge.length > 5 ? `, and ${tooLarge.length - 5} more` : '');
  const n = tooLarge.length;
  return `! Skipped ${n} file${n === 1 ? '' : 's'} larger than ${DEFAULT_READ_LIMITS.maxFileBytes / 1024} KiB (not scanned): ${names}`;
}
