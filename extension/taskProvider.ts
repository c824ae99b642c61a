// The `manito` task type: each service with a command is a task, "manito: start <service>", usable
// in tasks.json `dependsOn` and launch.json `preLaunchTask`. Running it asks the host to start the
// service (its dependencies first), shows the service's own output, and ends once the service is
// healthy (exit code 0) or ends with the service's exit code when it dies first. The service keeps
// running in its own terminal afterwards, as Start Service leaves it.
import * as vscode from 'vscode';
import { StartService, StopService } from '../protocol/lsp';
import type { FolderHost, FolderHosts } from './folderHosts';
import { ServicePty } from './serviceTerminal';

export const TASK_TYPE = 'manito';
const HEALTHY_TIMEOUT_MS = 120_000;

interface ManitoTaskDefinition extends vscode.TaskDefinition {
  service: string;
}

/** A task's terminal: starts the service when VS Code opens it. */
class TaskPty extends ServicePty {
  constructor(service: string, private readonly run: (pty: TaskPty) => Promise<void>, io: ConstructorParameters<typeof ServicePty>[1]) {
    super(service, io, true);
  }

  override open(): void {
    super.open();
    void this.run(this);
  }
}

export class ManitoTaskProvider implements vscode.TaskProvider {
  constructor(private readonly hosts: FolderHosts) {}

  /** Every served folder's services with a command, each task scoped to its folder. */
  provideTasks(): vscode.Task[] {
    return this.hosts.all.flatMap((folderHost) => (folderHost.controller.snapshot?.services ?? [])
      .filter((s) => s.hasCommand).map((s) => this.task(folderHost, { type: TASK_TYPE, service: s.name })));
  }

  /** A task from tasks.json runs in its own folder's host (the active folder's for a workspace task). */
  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as Partial<ManitoTaskDefinition>;
    if (typeof definition.service !== 'string' || definition.service === '') return undefined;
    const scoped = typeof task.scope === 'object' ? this.hosts.find(task.scope) : undefined;
    const folderHost = scoped ?? this.hosts.active;
    return folderHost ? this.task(folderHost, definition as ManitoTaskDefinition, task.scope) : undefined;
  }

  private task(folderHost: FolderHost, definition: ManitoTaskDefinition, scope?: vscode.Task['scope']): vscode.Task {
    const service = definition.service;
    const { controller } = folderHost;
    const task = new vscode.Task(definition, scope ?? folderHost.folder, `start ${service}`, TASK_TYPE,
      new vscode.CustomExecution(async () => new TaskPty(service, (pty) => this.run(folderHost, service, pty), {
        input: (data) => void controller.sendInput({ service, data }),
        stop: () => void controller.request(StopService.type, { service }).catch(() => undefined),
      })));
    task.detail = `Start ${service} with its Manito port, once its dependencies are healthy`;
    return task;
  }

  private async run({ controller: host, terminals }: FolderHost, service: string, pty: TaskPty): Promise<void> {
    const subscriptions: vscode.Disposable[] = [];
    const finish = (code: number, text: string) => {
      for (const d of subscriptions.splice(0)) d.dispose();
      pty.message(text);
      pty.finish(code);
    };
    if (!host.isRunning && !(await host.waitForSnapshot(30_000))) return finish(1, host.unavailableReason);
    subscriptions.push(
      terminals.onOutput((p) => { if (p.service === service) pty.output(p.data); }),
      terminals.onEnded((p) => {
        if (p.service === service) finish(p.exitCode ?? 1, `${service} ${p.exitCode !== null ? `exited with code ${p.exitCode}` : `was ended by ${p.signal ?? 'a signal'}`}`);
      }),
    );
    let result;
    try {
      result = await host.request(StartService.type, { service });
    } catch (error) {
      return finish(1, (error as Error).message);
    }
    pty.message(result.message);
    if (!result.ok) return finish(1, `${service} did not start`);
    const timer = setTimeout(() => finish(1, `${service} did not become healthy within ${HEALTHY_TIMEOUT_MS / 1000} s`), HEALTHY_TIMEOUT_MS);
    subscriptions.push({ dispose: () => clearTimeout(timer) });
    const check = () => {
      const view = host.snapshot?.services.find((s) => s.name === service);
      if (view?.health === 'healthy') finish(0, `${service} is healthy on port ${view.port}; it keeps running in its terminal`);
    };
    subscriptions.push(host.onDidChangeSnapshot(check));
    check();
  }
}

export function registerTaskProvider(hosts: FolderHosts): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, new ManitoTaskProvider(hosts));
}
