// The real probes behind the health monitor: tcp, http (path + expected status), a command (only
// in a trusted workspace, for a service the user started), and `auto` = the fingerprint of the service's kind. All time out fast.
// Probes run every 2 s for as long as the editor is open, so they are cheap by default: an HTTP
// service is checked by a TCP connect, an `http` check without a path by `HEAD /`; only a path the
// user names is fetched with GET (an app's `/` may create a session on every request).
import { spawn } from 'node:child_process';
import type { HealthCheckConfig, ServiceKind } from '../../protocol/config';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../../protocol/config';
import { exchange, httpProbe, kindProbe, onEitherLoopback, tcpProbe, type FingerprintResult } from '../detect/fingerprints';

export interface ProbeTarget {
  service: string;
  kind: ServiceKind;
  port: number;
  check?: HealthCheckConfig;
  cwd: string;
  /**
   * The user started it (Start Stack, Start Service, `manito up`). A command check runs only then:
   * never because a host started, or because something already listened on the service's port.
   */
  userStarted?: boolean;
}

export interface ProbeOutcome {
  ok: boolean;
  latencyMs: number;
  detail: string;
}

export type Probe = (target: ProbeTarget) => Promise<ProbeOutcome>;

function runCommand(command: string, cwd: string, port: number, timeoutMs: number): Promise<FingerprintResult> {
  return new Promise((resolve) => {
    let settled = false;
    const child = spawn(command, {
      shell: true, cwd, stdio: 'ignore', detached: process.platform !== 'win32',
      env: { ...process.env, PORT: String(port) },
    });
    const finish = (result: FingerprintResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      try {
        // The whole group: a shell's children would otherwise outlive the check.
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      finish({ ok: false, detail: `command timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    child.on('error', (error) => finish({ ok: false, detail: error.message }));
    child.on('exit', (code, signal) => finish(code === 0 ? { ok: true, detail: 'command exited 0' } : { ok: false, detail: `command exited ${code ?? signal}` }));
  });
}

/** The detail a command-checked service shows until the user starts it. */
export const COMMAND_WAITS_FOR_START = 'waiting for start: the command check runs once you start the service';

/** `HEAD /`: the status line is all it reads, so no page is rendered or sent. */
function headProbe(port: number, timeoutMs: number, accept: (status: number) => FingerprintResult): Promise<FingerprintResult> {
  return onEitherLoopback((host) => {
    const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const request = `HEAD / HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: manito-probe\r\nConnection: close\r\n\r\n`;
    return exchange(host, port, request, timeoutMs, (reply, ended) => {
      const text = reply.toString('latin1');
      const line = text.indexOf('\r\n');
      if (line < 0) return ended ? { ok: false, detail: 'not HTTP' } : undefined;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text.slice(0, line));
      return status ? accept(Number(status[1])) : { ok: false, detail: 'not HTTP' };
    });
  });
}

/** The default probe of a kind: its fingerprint, except plain HTTP, where a connect is proof enough of life. */
function autoProbe(kind: ServiceKind, port: number, timeoutMs: number): Promise<FingerprintResult> {
  return kind === 'http' || kind === 'websocket' ? tcpProbe(port, timeoutMs) : kindProbe(kind, port, timeoutMs);
}

/** `trusted()` is read on every probe: a command check runs only once the workspace is trusted. */
export function createProbe(trusted: () => boolean): Probe {
  return async (target) => {
    const started = performance.now();
    const check = target.check;
    const timeoutMs = check?.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    let result: FingerprintResult;
    switch (check?.type) {
      case 'tcp':
        result = await tcpProbe(target.port, timeoutMs);
        break;
      case 'http': {
        const expect = check.expectStatus;
        const accept = (status: number): FingerprintResult => ({
          ok: expect !== undefined ? status === expect : status >= 200 && status < 400,
          detail: `http ${status}${expect !== undefined && status !== expect ? `, expected ${expect}` : ''}`,
        });
        result = check.path === undefined ? await headProbe(target.port, timeoutMs, accept) : await httpProbe(target.port, check.path, timeoutMs, accept);
        break;
      }
      case 'command':
        if (trusted() && target.userStarted) {
          result = await runCommand(check.command, target.cwd, target.port, timeoutMs);
        } else {
          const tcp = await tcpProbe(target.port, timeoutMs);
          const why = trusted() ? COMMAND_WAITS_FOR_START : 'command checks run only in a trusted workspace';
          result = { ok: tcp.ok, detail: `${tcp.detail} (tcp: ${why})` };
        }
        break;
      default:
        result = await autoProbe(target.kind, target.port, timeoutMs);
    }
    return { ok: result.ok, detail: result.detail, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  };
}
