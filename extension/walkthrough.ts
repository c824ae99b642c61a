// Completes the Get Started walkthrough's steps (package.json contributes.walkthroughs) on the real
// events: each step waits for an `onContext:` key that this class sets when the thing happened
// in this window. VS Code remembers a completed step itself, so the keys are never cleared.
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

export class WalkthroughProgress implements vscode.Disposable {
  private readonly done = new Set<Step>();
  private readonly subscription: vscode.Disposable;

  constructor(host: HostController) {
    this.subscription = host.onDidChangeSnapshot((snapshot) => this.observe(snapshot));
    if (host.snapshot) this.observe(host.snapshot);
  }

  dashboardOpened(): void {
    this.complete('dashboardOpened');
  }

  portUsed(): void {
    this.complete('portUsed');
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private observe(snapshot: StackSnapshot): void {
    if (snapshot.services.length > 0) this.complete('stackKnown');
    if (snapshot.services.some((s) => s.runner === 'terminal' || s.runner === 'process')) this.complete('stackStarted');
  }

  private complete(step: Step): void {
    if (this.done.has(step)) return;
    this.done.add(step);
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT[step], true);
  }
}
