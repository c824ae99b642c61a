// `manito status`: find the running host, its environment, and each service's port, reason and health.
import * as path from 'node:path';
import { API_SNAPSHOT_PATH, type ServiceHealthEntry } from '../../protocol/http';
import { brokenConfigNote, primaryUrl, type ServiceView, type StackSnapshot } from '../../protocol/model';
import type { CliCommand } from '../command';
import { findHost, ranges, scanPortsFrom, within } from '../findHost';
import { getJson } from '../http';
import { scanForHardcodedPorts } from '../scan/hardcodedNote';
import { EXIT_FAILED, EXIT_OK, table } from '../output';
import { stateDir } from '../../server/discovery/stateFolder';

export const status: CliCommand = {
  name: 'status',
  summary: 'Find the running Manito host and show every service\'s port, reason and health',
  usage: 'status [dir] [--json]',
  help: [
    'Looks for a host through the discovery files of live hosts first (the one serving [dir], default',
    'the current folder, preferred), then probes /api/health on the host range and the seed\'s',
    '3000-3010 in parallel. Exit 0 when a host answers, 1 when none does.',
    '',
    'Options:',
    '  --json          print {environment, strategy, config, host, services} as JSON',
    '  --timeout <ms>  per-probe timeout (default 400)',
    '',
    'Environment: MANITO_STATE_DIR (discovery files), MANITO_SCAN_PORTS (e.g. "41730-41749,3000-3010").',
  ].join('\n'),
  options: { json: { type: 'boolean' }, timeout: { type: 'string' } },
  maxPositionals: 1,
  async run(ctx) {
    const timeoutMs = ctx.values.timeout ? Number(ctx.values.timeout) : undefined;
    const folder = path.resolve(ctx.positionals[0] ?? process.cwd());
    const host = await findHost({ workspace: folder, env: ctx.env, timeoutMs , onNote: (line) => ctx.err(`${ctx.errStyle.yellow('!')} ${line}`) });
    if (!host) {
      const message = `No Manito host found: no live discovery record of yours in ${stateDir(ctx.env)} whose host proves it wrote it ` +
        `(ports ${ranges(scanPortsFrom(ctx.env))} were looked at only to name what was ignored). Start one with \`manito up\` or \`manito host\`, or open the workspace in VS Code.`;
      if (ctx.values.json) ctx.out(JSON.stringify({ found: false, error: message }, null, 2));
      else ctx.err(`${ctx.errStyle.red('✖')} ${message}`);
      return EXIT_FAILED;
    }
    const services = host.health.services ?? {};
    /** Whether the host found is this folder's (or a parent's); otherwise it is shown, but said to be another's. */
    const serves = !host.health.host || within(host.health.host.workspace, folder);
    // The snapshot explains every port ("3000 is held by pid 1234 (vite), assigned 3001"); a host
    // that does not serve it (the seed's) still gets the health table.
    const snapshot = await getJson<{ data: StackSnapshot }>(`${host.url}${API_SNAPSHOT_PATH}`, timeoutMs ?? 1000).then((b) => b.data, () => undefined);
    const views = new Map((snapshot?.services ?? []).map((v) => [v.name, v]));
    if (ctx.values.json) {
      const detailed = Object.fromEntries(Object.entries(services).map(([name, entry]) => {
        const view = views.get(name);
        return [name, view ? {
          ...entry, explanation: view.explanation, url: view.url, ...(view.namedUrl ? { namedUrl: view.namedUrl } : {}),
          ...(view.container ? { container: view.container } : {}), runner: view.runner, pid: view.pid,
          ...(view.error ? { error: view.error } : {}), ...(view.moveBack ? { moveBack: view.moveBack } : {}),
        } : entry];
      }));
      ctx.out(JSON.stringify({
        found: true,
        serves,
        ...(snapshot ? { environment: snapshot.environment, strategy: snapshot.strategy, config: snapshot.configPath ?? snapshot.configOrigin.label, configSource: snapshot.configSource, configOrigin: snapshot.configOrigin } : {}),
        host: {
          port: host.port, url: host.url, source: host.source, pid: host.health.host?.pid, workspace: host.health.host?.workspace, status: host.health.status, version: host.health.version,
        },
        services: detailed,
      }, null, 2));
      return EXIT_OK;
    }
    const s = ctx.style;
    ctx.out(`✅ Manito host detected on port ${host.port}`);
    // On stderr: a warning about this folder's code, not part of the host's report.
    const hardcoded = serves ? scanForHardcodedPorts(folder, ctx.positionals[0]) : null;
    if (hardcoded) ctx.err(`${ctx.errStyle.yellow('!')} ${hardcoded}`);
    const info = host.health.host;
    if (info) ctx.out(s.dim(`   ${info.workspace} (pid ${info.pid}, found by ${host.source === 'discovery' ? 'discovery file' : 'port scan'})`));
    if (info && !serves) ctx.out(s.yellow(`   no host serves ${folder}: these are the ports of ${info.workspace}, not this folder's`));
    if (snapshot) ctx.out(s.dim(`   ${environmentLine(snapshot)}`));
    const names = Object.keys(services).filter((n) => n !== 'websocket' || services[n]!.port !== null || services[n]!.reason !== null);
    if (names.length === 0) {
      ctx.out('   no services');
      return EXIT_OK;
    }
    // The named URL first when the proxy gives one: it is the address that survives port moves.
    // A multi-instance service: its front's row, then one indented row per instance (its own port and health).
    const rows = names.flatMap((name) => [[...row(name, services[name]!), urlOf(views.get(name))],
      ...(services[name]!.instances ?? []).map((i) => [...row(`  ${name}#${i.index}`, i), '-'])]);
    const lines = table([['SERVICE', 'PORT', 'REASON', 'HEALTH', 'URL'], ...rows], (r, c, cell) => {
      if (r === 0) return s.bold(cell);
      if (c !== 3) return cell;
      const health = rows[r - 1]![3]!.split(' ')[0];
      return health === 'healthy' ? s.green(cell) : health === 'unhealthy' ? s.red(cell) : health === 'starting' ? s.yellow(cell) : s.dim(cell);
    });
    for (const line of lines) ctx.out(`   ${line}`);
    for (const name of names) {
      const view = views.get(name);
      if (view?.error) ctx.out(`   ${s.red(`${name}: ${view.error}`)}`);
      // Only what a person needs to read: moves and skipped ports, not "5173 is client's first preferred port".
      else if (view?.moveBack) ctx.out(s.yellow(`   ${name}: ${view.explanation}; run \`manito move-back ${name}\``));
      else if (view?.explanation && view.reason !== 'inherited' && !/first preferred port$/.test(view.explanation)) ctx.out(s.dim(`   ${name}: ${view.explanation}`));
    }
    for (const problem of snapshot?.configErrors ?? []) ctx.out(s.yellow(`   ${snapshot!.configPath ?? 'manito.json'}:${problem.line}:${problem.column}  ${problem.message}`));
    return EXIT_OK;
  },
};

function urlOf(view: ServiceView | undefined): string {
  return (view && primaryUrl(view)) ?? '-';
}

function row(name: string, entry: ServiceHealthEntry): string[] {
  const instances = entry.instances ? ` (${entry.instances.filter((i) => i.status === 'healthy').length}/${entry.instances.length} instances)` : '';
  return [name, entry.port === null ? '-' : String(entry.port), entry.reason ?? '-', entry.status + instances];
}

/** The seed's "environment information": environment, strategy and where the stack comes from. */
function environmentLine(snapshot: StackSnapshot): string {
  const config = snapshot.configSource === 'inferred' || snapshot.configSource === 'default'
    ? `no manito.json: ${snapshot.configOrigin.label}${snapshot.configOrigin.detail ? ` (${snapshot.configOrigin.detail})` : ''}`
    : snapshot.configPath ?? 'manito.json';
  const errors = snapshot.configErrors.length ? ` (${brokenConfigNote(snapshot.configErrors.length, snapshot.configSource)})` : '';
  return `${snapshot.environment} environment · ${snapshot.strategy} strategy · ${config}${errors}`;
}
