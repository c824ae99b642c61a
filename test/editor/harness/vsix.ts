// Builds the .vsix once per change of its inputs and lets every test file reuse it; reads the
// .vsix (a zip) without any unzip tool so the packaging test can list and open its entries.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { repoRoot } from './paths';

const cacheDir = join(repoRoot, '.cache', 'vsix');
const cachedVsix = join(cacheDir, 'manito.vsix');
const stampFile = join(cacheDir, 'manito.vsix.inputs');
const lockDir = join(cacheDir, 'lock');

// Everything the packaged extension is made of; tests, docs and caches are not inputs.
const NOT_INPUTS = new Set([
  'node_modules', '.git', '.cache', '.ci', 'dist', 'dist-vsix', 'out', 'test-results', '.vscode-test',
  'test', 'bench', 'docs', 'examples',
]);

/** A fingerprint of every input file's path, size and mtime: any edit, addition or removal changes it. */
function inputsFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (dir === repoRoot && NOT_INPUTS.has(name)) continue;
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else hash.update(`${relative(repoRoot, path)}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  walk(repoRoot);
  hash.update(`package.mjs\0${statSync(join(repoRoot, 'scripts', 'package.mjs')).mtimeMs}\n`);
  return hash.digest('hex');
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(cacheDir, { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than two minutes belongs to a builder that died.
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 120_000) rmSync(lockDir, { recursive: true, force: true });
      } catch { /* removed by its owner meanwhile */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * The path of a .vsix built from the current sources: reused when no input changed since it was
 * built, rebuilt (production bundle + vsce) otherwise. Safe to call from concurrent test files.
 */
export async function ensureVsix(): Promise<string> {
  return withLock(async () => {
    const fingerprint = inputsFingerprint();
    let stamp = '';
    try {
      stamp = readFileSync(stampFile, 'utf8');
      statSync(cachedVsix);
    } catch {
      stamp = '';
    }
    if (stamp === fingerprint) return cachedVsix;
    const fresh = join(cacheDir, `manito-${process.pid}.vsix`);
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--out', fresh], { cwd: repoRoot },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`npm run package failed:\n${stdout}${stderr}`));
          else resolve();
        });
    });
    renameSync(fresh, cachedVsix);
    writeFileSync(stampFile, fingerprint);
    return cachedVsix;
  });
}

export interface ZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: number;
  localHeaderOffset: number;
}

/** Lists a zip archive from its central directory. */
export function listZip(file: string | Buffer): ZipEntry[] {
  const zip = typeof file === 'string' ? readFileSync(file) : file;
  // The end-of-central-directory record is in the last 22 + 65535 (max comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one entry (stored or deflated). */
export function readZipEntry(file: string | Buffer, name: string): Buffer {
  const zip = typeof file === 'string' ? readFileSync(file) : file;
  const entry = listZip(zip).find((e) => e.name === name);
  if (!entry) throw new Error(`${name} is not in the archive`);
  const at = entry.localHeaderOffset;
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${name}: unsupported compression method ${entry.method}`);
}
