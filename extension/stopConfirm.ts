// Stop Service on a service found running that Manito did not start (issue 12 rule 4): the host
// refuses until the user confirms in a modal that names the pid and command line.
import * as vscode from 'vscode';
import type { ActionResult, ServiceParams } from '../protocol/lsp';

export async function stopWithConfirmation(service: string, stop: (params: ServiceParams) => Promise<ActionResult>): Promise<ActionResult> {
  const first = await stop({ service });
  if (!first.confirm) return first;
  const stopIt = vscode.l10n.t('Stop It');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} was found running; Manito did not start it. Stop pid {1}?', service, first.confirm.pid),
    { modal: true, detail: first.confirm.command }, stopIt);
  if (choice !== stopIt) return { ok: true, message: vscode.l10n.t('Left {0} running (pid {1}).', service, first.confirm.pid) };
  return stop({ service, force: true });
}
