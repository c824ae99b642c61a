// The host's own code for `manito host` and `manito up`. The built CLI loads dist/host.js (which
// exports runHost) at run time instead of bundling a second copy, so `status`, `ports` and `scan`
// never parse the host's modules; from sources (tsx) it loads server/host/runHost.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';

type HostModule = typeof import('../server/host/runHost');

export function loadHostModule(): HostModule {
  const built = path.join(__dirname, 'host.js');
  // Non-literal paths: esbuild leaves these requires to run time.
  const target = path.basename(__filename) === 'cli.js' && fs.existsSync(built) ? built : path.join(__dirname, '..', 'server', 'host', 'runHost');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a run-time path esbuild must not bundle
  const mod = require(target) as Partial<HostModule>;
  if (typeof mod.runHost !== 'function') throw new Error(`${target} does not export runHost`);
  return mod as HostModule;
}
