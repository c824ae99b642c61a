// Create React App reads its dev proxy from package.json's "proxy" (`http://localhost:5000`), which
// cannot read the environment. What CRA offers instead is src/setupProxy.js, which its dev server
// loads itself: `manito scan --fix` writes one that forwards the same requests to the port Manito
// gives the API (MANITO_<SERVICE>_PORT), or to the repository's own port without Manito. The file
// needs no package (CRA 3 and 5 ship different http-proxy-middleware APIs). Pure: text in, text out.
import * as path from 'node:path';
import { servicePortVariable } from '../../protocol/config';
import type { Finding } from './portScan';

export interface CreatedFile {
  path: string;
  text: string;
  finding: Finding;
}

const PROXY_LINE = /^\s*"proxy"\s*:\s*"([^"]*)"/;

/** The finding is the `"proxy"` of a package.json whose app runs react-scripts. */
export function isCraProxy(f: Finding, files: ReadonlyMap<string, string>): boolean {
  if (path.posix.basename(f.path) !== 'package.json') return false;
  const text = files.get(f.path) ?? '';
  return /"react-scripts"\s*:/.test(text) && PROXY_LINE.test(text.split(/\r?\n/)[f.line - 1] ?? '');
}

/** src/setupProxy.js beside that package.json, or why none is written. */
export function craProxyFile(f: Finding, files: ReadonlyMap<string, string>, service: string): CreatedFile | string {
  const target = PROXY_LINE.exec(files.get(f.path)!.split(/\r?\n/)[f.line - 1]!)![1]!;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `"proxy" is not a URL: ${target}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"proxy" is not an http(s) URL: ${target}`;
  const file = path.posix.join(path.posix.dirname(f.path), 'src', 'setupProxy.js');
  if (files.has(file)) return `${file} exists: point its target at process.env.${servicePortVariable(service)} yourself`;
  return { path: file, text: setupProxyText(url, f.port, servicePortVariable(service)), finding: f };
}

function setupProxyText(url: URL, port: number, variable: string): string {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return `// Written by \`manito scan --fix\`. package.json's "proxy" (${url.origin}) names a fixed port;
// this forwards the same requests to the port Manito gives the API (${variable}), or to
// ${port} without Manito. Create React App loads this file itself; it needs no package.
const fs = require('fs');
const path = require('path');
const ${url.protocol === 'https:' ? 'https' : 'http'} = require('${url.protocol === 'https:' ? 'https' : 'http'}');

const target = { host: ${JSON.stringify(host)}, port: Number(process.env.${variable} || ${port}) };
const publicDir = path.join(__dirname, '..', 'public');

// What CRA's own proxy forwards: any request but a GET for a page or a file of public/; never the
// dev server's own bundle, hot updates or socket (this runs before them).
function forwarded(req) {
  const pathname = req.url.split('?')[0];
  if (/^\\/(static|sockjs-node|ws)(\\/|$)|\\.hot-update\\.(js|json)$|^\\/asset-manifest\\.json$/.test(pathname)) return false;
  if (req.method !== 'GET') return true;
  if (!req.headers.accept || req.headers.accept.includes('text/html')) return false;
  try {
    return !fs.existsSync(path.join(publicDir, decodeURIComponent(pathname)));
  } catch {
    return true;
  }
}

function forward(req, res) {
  const headers = { ...req.headers, host: \`\${target.host}:\${target.port}\` };
  const upstream = ${url.protocol === 'https:' ? 'https' : 'http'}.request({ ...target, method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(\`Proxy error: could not reach \${target.host}:\${target.port} (\${error.code || error.message})\`);
  });
  req.pipe(upstream);
}

module.exports = (app) => {
  app.use((req, res, next) => (forwarded(req) ? forward(req, res) : next()));
};
`;
}
