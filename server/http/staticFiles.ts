// Serves the built dashboard assets (dist/webview/*) by flat file name only: no paths, no dot files.
import * as fs from 'node:fs';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticFile { body: Buffer; type: string }

/** Where dist/webview is: beside dist/host.js when bundled, under the repo's dist/ when run from source. */
export function defaultWebviewDir(): string {
  const beside = path.join(__dirname, 'webview');
  if (fs.existsSync(beside)) return beside;
  return path.resolve(__dirname, '..', '..', 'dist', 'webview');
}

export function readStaticFile(dir: string, name: string): StaticFile | undefined {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name) || name.includes('..')) return undefined;
  const type = TYPES[path.extname(name)];
  if (!type) return undefined;
  try {
    return { body: fs.readFileSync(path.join(dir, name)), type };
  } catch {
    return undefined;
  }
}
