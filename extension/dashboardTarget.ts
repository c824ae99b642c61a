// The dashboard shows one folder's host at a time: the folder active when it was opened. This
// stands in for that host towards the panel (DashboardHost), re-firing the followed host's events
// and, on a switch, a state change and the new folder's snapshot, so the panel redraws for it.
import * as vscode from 'vscode';
import type { RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ManitoEvent, StackSnapshot } from '../protocol/model';
import type { DashboardHost } from './dashboardPanel';
import type { FolderHost, FolderHosts } from './folderHosts';

export class DashboardTarget implements DashboardHost, vscode.Disposable {
  private followed: FolderHost | undefined;
  private followDisposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<unknown>();
  private readonly snapshotEmitter = new vscode.EventEmitter<StackSnapshot>();
  private readonly eventEmitter = new vscode.EventEmitter<ManitoEvent>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeSnapshot = this.snapshotEmitter.event;
  readonly onDidReceiveEvent = this.eventEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.stateEmitter, this.snapshotEmitter, this.eventEmitter];

  constructor(hosts: FolderHosts) {
    // A followed folder that stops being served hands the dashboard to the active one.
    this.disposables.push(hosts.onDidChangeHosts(() => {
      if (!this.followed || !hosts.find(this.followed.key)) this.follow(hosts.active);
    }));
    this.follow(hosts.active);
  }

  get folder(): FolderHost | undefined {
    return this.followed;
  }

  get state(): DashboardHost['state'] {
    return this.followed?.controller.state ?? 'stopped';
  }

  get snapshot(): StackSnapshot | undefined {
    return this.followed?.controller.snapshot;
  }

  get unavailableReason(): string {
    return this.followed?.controller.unavailableReason ?? 'Manito serves no folder here: open the folder of your stack.';
  }

  /** The terminals of the followed folder, for the dashboard's "show terminal". */
  readonly terminals = { show: (service: string): boolean => this.followed?.terminals.show(service) ?? false };

  follow(host: FolderHost | undefined): void {
    if (host === this.followed) return;
    for (const d of this.followDisposables.splice(0)) d.dispose();
    this.followed = host;
    if (host) {
      const c = host.controller;
      this.followDisposables.push(
        c.onDidChangeState((s) => this.stateEmitter.fire(s)),
        c.onDidChangeSnapshot((s) => this.snapshotEmitter.fire(s)),
        c.onDidReceiveEvent((e) => this.eventEmitter.fire(e)),
      );
    }
    this.stateEmitter.fire(this.state);
    if (host?.controller.snapshot) this.snapshotEmitter.fire(host.controller.snapshot);
  }

  request<R>(type: RequestType0<R, void>): Promise<R>;
  request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  request<P, R>(type: RequestType0<R, void> | RequestType<P, R, void>, params?: P): Promise<R> {
    const c = this.followed?.controller;
    if (!c) return Promise.reject(new Error(this.unavailableReason));
    return params === undefined ? c.request(type as RequestType0<R, void>) : c.request(type as RequestType<P, R, void>, params);
  }

  dispose(): void {
    for (const d of [...this.followDisposables.splice(0), ...this.disposables.splice(0)]) d.dispose();
  }
}
