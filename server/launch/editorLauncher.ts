// Runs services for the editor: the host spawns each one itself (a ProcessLauncher, so pid,
// process group, records and reaper are the same as headless), and the editor shows it in a
// pseudo-terminal fed over the connection: the terminal's process IS the service, and its exit
// code shows. Input typed in the terminal goes to the service's stdin.
import type { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import {
  ServiceEnded, ServiceInput, ServiceOutput, ServiceStarted, ServiceTerminal,
  type ServiceDataParams,
} from '../../protocol/lsp';
import type { Reaper } from '../proc/reaper';
import type { LaunchedService, Launcher } from './launcher';
import type { LaunchSpec } from './launchEnv';
import { ProcessLauncher } from './processLauncher';

/** The part of a vscode-languageserver `Connection` this needs; pass the connection itself. */
export interface EditorConnection {
  sendRequest<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  sendNotification<P>(type: NotificationType<P>, params: P): Promise<void>;
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): { dispose(): void };
}

export class EditorLauncher implements Launcher {
  readonly runner = 'process' as const;
  private readonly processes: ProcessLauncher;
  private readonly inputSub: { dispose(): void };

  constructor(private readonly connection: EditorConnection, options: { graceMs?: number } = {}) {
    const send = <P>(type: NotificationType<P>, params: P) => { connection.sendNotification(type, params).catch(() => undefined); };
    this.processes = new ProcessLauncher({ ...options, raw: (service, data) => send(ServiceOutput.type, { service, data }) });
    this.inputSub = connection.onNotification(ServiceInput.type, (p: ServiceDataParams) => {
      if (typeof p?.service === 'string' && typeof p.data === 'string') this.processes.input(p.service, p.data);
    });
  }

  attachReaper(reaper: Reaper): void {
    this.processes.attachReaper(reaper);
  }

  async launch(spec: LaunchSpec): Promise<LaunchedService> {
    // The terminal first, so it sees the service's first line; an editor that cannot show one still runs it.
    await this.connection.sendRequest(ServiceTerminal.type, { service: spec.service, name: spec.name, command: spec.command, cwd: spec.cwd }).catch(() => undefined);
    const launched = await this.processes.launch(spec);
    const pid = launched.pid!;
    this.connection.sendNotification(ServiceStarted.type, { service: spec.service, pid }).catch(() => undefined);
    launched.onExit((info) => {
      this.connection.sendNotification(ServiceEnded.type, { service: spec.service, pid, exitCode: info.code, signal: info.signal ?? null }).catch(() => undefined);
    });
    return launched;
  }

  dispose(): void {
    this.inputSub.dispose();
  }
}
