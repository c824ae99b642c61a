// Who may talk to the host's HTTP API and feed: requests addressed to the loopback by name (Host
// allowlist, against DNS rebinding), from no browser page or from the host's own pages and the
// editor's webview (Origin), and for anything that changes state, the holder of the host token.
import * as crypto from 'node:crypto';

let cached: { port: number; hosts: Set<string> } | undefined;

export function allowedHostHeaders(port: number): Set<string> {
  // Asked on every request with the same port: build the set once.
  if (cached?.port !== port) cached = { port, hosts: new Set([`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) };
  return cached.hosts;
}

/** The Host header must name a loopback address and this port. Missing Host is refused too. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const hosts = allowedHostHeaders(port);
  return hosts.has(host) || hosts.has(host.toLowerCase());
}

/**
 * No Origin (curl, the CLI, the extension's Node side) is allowed; so are the host's own pages and
 * VS Code webviews. Every other page, including `null` (sandboxed frames, file://), is foreign.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  const o = origin.toLowerCase();
  if (o.startsWith('vscode-webview://') && o.length > 'vscode-webview://'.length && !/[\s/]/.test(o.slice(17))) return true;
  return allowedHostHeaders(port).has(o.replace(/^http:\/\//, '')) && o.startsWith('http://');
}

/** Constant-time comparison, so the token cannot be guessed a byte at a time. */
export function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(';')[0].trim().toLowerCase() === 'application/json';
}
