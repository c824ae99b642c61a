// `manito scan [dir]`: hard-coded ports that bypass the allocator, as clickable `path:line:col`,
// and a proposed manito.json (`--write` creates it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../../protocol/config';
import type { CliCommand } from '../command';
import { EXIT_FAILED, EXIT_OK } from '../output';
import { proposeStack, scanDirectory } from '../scan/portScanner';

export const scan: CliCommand = {
  name: 'scan',
  summary: 'Find hard-coded ports in source and config, and propose services for a manito.json',
  usage: 'scan [dir] [--json] [--write [--force]]',
  help: [
    'Looks for listen(3000), localhost:5173, vite server.port, docker-compose ports:, .env PORT= and',
    '--port flags in [dir] (default: the current folder), skipping node_modules, .git and build output.',
    'Each finding is printed as path:line:col (clickable in editors and terminals) with what was found.',
    'Exit 0 whether or not something was found; 1 when --write would overwrite a manito.json, or',
    'has no service to write.',
    '',
    'Options:',
    '  --json    print {dir, findings, proposal} as JSON',
    '  --write   create manito.json in [dir] from the proposal',
    '  --force   with --write: overwrite an existing manito.json',
  ].join('\n'),
  options: { json: { type: 'boolean' }, write: { type: 'boolean' }, force: { type: 'boolean' } },
  maxPositionals: 1,
  async run(ctx) {
    const root = path.resolve(ctx.positionals[0] ?? '.');
    if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      ctx.err(`${ctx.errStyle.red('✖')} ${root} is not a folder.`);
      return EXIT_FAILED;
    }
    const findings = scanDirectory(root);
    const proposal = proposeStack(findings);
    const target = path.join(root, CONFIG_FILE_NAME);
    let written: string | null = null;
    if (ctx.values.write) {
      if (Object.keys(proposal.services).length === 0) {
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
      ctx.out(JSON.stringify({ dir: root, findings, proposal, written }, null, 2));
      return EXIT_OK;
    }
    // Paths relative to where the user stands, so the terminal can open them.
    const shown = (rel: string) => path.relative(process.cwd(), path.join(root, rel)) || rel;
    const s = ctx.style;
    for (const f of findings) ctx.out(`${s.cyan(`${shown(f.path)}:${f.line}:${f.column}`)}  ${f.message}`);
    const names = Object.keys(proposal.services);
    if (names.length) {
      ctx.out('');
      ctx.out(s.bold(`Proposed ${CONFIG_FILE_NAME} services: ${names.map((n) => `${n} (${proposal.services[n]!.preferred![0]})`).join(', ')}`));
      if (written) ctx.out(`✅ Wrote ${written}`);
      else ctx.out(s.dim(`Run \`manito scan ${ctx.positionals[0] ?? '.'} --write\` to create it, or --json to see it.`));
    }
    // One closing line: the count, or that there is nothing to count.
    if (findings.length === 0) ctx.out(`No hard-coded ports found in ${root}.`);
    else ctx.out(s.dim(`${findings.length} finding${findings.length === 1 ? '' : 's'} in ${root}`));
    return EXIT_OK;
  },
};
