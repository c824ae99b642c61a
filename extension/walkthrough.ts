// Completes the Get Started walkthrough's steps (package.json contributes.walkthroughs) on the real
// events: each step waits for an `onContext:` key that this class sets when the thing happened
// in this window. VS Code remembers a completed step itself, so the keys are never cleared.
//
// Why each key alternates between 1 and 2: VS Code 1.99 registers walkthroughs when its Getting
// Started service is first needed (often when the user opens the walkthrough), and a completion
// expression that is already true at that moment is recorded as seen without completing its step.
// Each step therefore lists both `key == 1` and `key == 2`, and every tab change (opening the
// walkthrough is one) flips the keys of what already happened, so the expression that was not
// true at registration becomes true after it.
import * as vscode from 'vscode';
import type { StackSnapshot } from '../protocol/model';
import type { HostController } from './hostController';

export const WALKTHROUGH_CONTEXT = {
  /** The host serves a stack with at least one service (from manito.json or inferred). */
  stackKnown: 'manito.walkthrough.stackKnown',
  /** A service runs in a terminal or process Manito started. */
  stackStarted: 'manito.walkthrough.stackStarted',
  dashboardOpened: 'manito.walkthrough.dashboardOpened',
  /** A `${command:manito.port...}` lookup answered a port (launch.json, tasks.json). */
  portUsed: 'manito.walkthrough.portUsed',
} as const;

type Step = keyof typeof WALKTHROUGH_CONTEXT;

/** Every served folder's host (folderHosts.ts): a step completes in whichever folder it happens. */
export interface WalkthroughHosts {
  readonly all: ReadonlyArray<{ readonly controller: Pick<HostController, 'snapshot'> }>;
  readonly onDidChange: vscode.Event<unknown>;
}

export class WalkthroughProgress implements vscode.Disposable {
  private readonly done = new Set<Step>();
  private readonly subscriptions: vscode.Disposable[];
  private value: 1 | 2 = 1;

  constructor(hosts: WalkthroughHosts) {
    const observeAll = () => { for (const h of hosts.all) if (h.controller.snapshot) this.observe(h.controller.snapshot); };
    this.subscriptions = [
      hosts.onDidChange(observeAll),
      vscode.window.tabGroups.onDidChangeTabs(() => this.flip()),
    ];
    observeAll();
  }

  dashboardOpened(): void {
    this.complete('dashboardOpened');
  }

  portUsed(): void {
    this.complete('portUsed');
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private observe(snapshot: StackSnapshot): void {
    if (snapshot.services.length > 0) this.complete('stackKnown');
    if (snapshot.services.some((s) => s.runner === 'process')) this.complete('stackStarted');
  }

  private complete(step: Step): void {
    if (this.done.has(step)) return;
    this.done.add(step);
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT[step], this.value);
  }

  private flip(): void {
    if (this.done.size === 0) return;
    this.value = this.value === 1 ? 2 : 1;
    for (const step of this.done) void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT[step], this.value);
  }
}
