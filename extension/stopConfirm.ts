// Stop Service on a service found running that Manito did not start (issue 12 rule 4): the host
// refuses until the user confirms in a modal that names the pid and command line.
import * as vscode from 'vscode';
import type { ActionResult, ServiceParams } from '../protocol/lsp';

export async function stopWithConfirmation(service: string, stop: (params: ServiceParams) => Promise<ActionResult>): Promise<ActionResult> {
  const first = await stop({ service });
  if (!first.confirm) return first;
  const choice = await vscode.window.showWarningMessage(
    `${service} was found running; Manito did not start it. Stop pid ${first.confirm.pid}?`,
    { modal: true, detail: first.confirm.command }, 'Stop It');
  if (choice !== 'Stop It') return { ok: true, message: `Left ${service} running (pid ${first.confirm.pid}).` };
  return stop({ service, force: true });
}
