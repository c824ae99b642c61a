// Compiles native/listeners.c into dist/native/listeners-<platform>-<arch>.node with the system C
// compiler ($CC, else cc) against node-api-headers: an N-API module, so the one file loads in
// every Node and Electron of the platform. Linux only (sock_diag is a Linux interface); elsewhere,
// or where the compiler is missing or fails, nothing is built and the port probe binds instead
// (server/proc/listenerTable.ts). Skipped when the output is newer than its sources.
// `node native/build.mjs [--required]`: with --required, not building is an error.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** The file name the loader looks for; keep in step with server/proc/listenerTable.ts. */
export function nativeFileName(platform = process.platform, arch = process.arch) {
  return `listeners-${platform}-${arch}.node`;
}

/**
 * @param {{ required?: boolean, outDir?: string, log?: (line: string) => void }} [options]
 * @returns {{ built: boolean, file?: string, reason?: string }}
 */
export function buildNative(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const outDir = options.outDir ?? join(root, 'dist', 'native');
  const out = join(outDir, nativeFileName());
  const skip = (reason) => {
    if (options.required) throw new Error(`native/build.mjs: ${reason}`);
    log(`native/build.mjs: not built (${reason}); the port probe will bind instead`);
    return { built: false, reason };
  };
  if (process.platform !== 'linux') return skip(`sock_diag is Linux-only, this is ${process.platform}`);

  const source = join(here, 'listeners.c');
  const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  if (mtime(out) > Math.max(mtime(source), mtime(fileURLToPath(import.meta.url)))) return { built: true, file: out };

  let include;
  try {
    include = join(dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
  } catch {
    return skip('node-api-headers is not installed (npm ci)');
  }
  // $CC may carry its own arguments ("ccache cc", "gcc -m64").
  const [cc, ...ccArgs] = (process.env.CC || 'cc').trim().split(/\s+/);
  mkdirSync(outDir, { recursive: true });
  const args = [...ccArgs, '-std=gnu11', '-O2', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-I', include, source, '-o', out];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.error && /** @type {NodeJS.ErrnoException} */ (r.error).code === 'ENOENT') return skip(`no C compiler (${cc}); install build-essential`);
  if (r.error || r.status !== 0) {
    const detail = r.error?.message ?? (r.stderr || r.stdout).trim();
    return skip(`${cc} ${args.join(' ')} failed${detail ? `:\n${detail}` : ` with exit code ${r.status}`}`);
  }
  if (r.stderr.trim()) log(r.stderr.trim());
  return { built: true, file: out };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const r = buildNative({ required: process.argv.includes('--required') });
    if (r.built) console.log(`native/build.mjs: ${r.file}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
