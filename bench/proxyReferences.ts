// Reference rows for the proxy bench, there to show the ceiling any proxy process meets on this
// machine (load generator, proxy and server share its cores), not to be shipped:
// - a bare node byte pipe: one upstream socket per client socket, bytes copied both ways, no HTTP
//   parsing at all; what a node proxy costs before it does any work of its own;
// - HAProxy (Debian's `haproxy`, C), routing by Host the way ours does, with X-Forwarded-For: with
//   one thread like our one event loop, and with two, the best any proxy here is likely to do;
//   skipped with a printed line when it is not installed.
// Both bind 127.0.0.1 only; the HAProxy config lives in the bench's temp folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** Serves on a free loopback port; each client socket is piped to its own socket to `upstreamPort`. */
export function serveNodePipe(upstreamPort: number): void {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    client.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as net.AddressInfo).port}`));
  process.once('SIGTERM', () => process.exit(0));
}

function haproxyBinary(): string | undefined {
  for (const candidate of ['haproxy', '/usr/sbin/haproxy']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/** HAProxy in the foreground routing `host` to `upstreamPort`, or undefined (said on stdout) when it is not installed. */
export function startHaproxy(dir: string, port: number, host: string, upstreamPort: number, threads: number): ChildProcess | undefined {
  const binary = haproxyBinary();
  if (!binary) {
    console.log('haproxy is not installed: its reference rows are skipped (scripts/install-system-packages.sh --bench installs it).');
    return undefined;
  }
  const config = path.join(dir, `haproxy-${threads}.cfg`);
  fs.writeFileSync(config, [
    'global', `  nbthread ${threads}`,
    'defaults', '  mode http', '  timeout connect 5s', '  timeout client 60s', '  timeout server 60s',
    'frontend bench', `  bind 127.0.0.1:${port}`, '  option forwardfor',
    `  use_backend web if { req.hdr(host),field(1,:) -m str ${host} }`,
    'backend web', `  server web 127.0.0.1:${upstreamPort}`, '',
  ].join('\n'));
  return spawn(binary, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] });
}
