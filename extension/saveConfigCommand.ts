// "Manito: Save Inferred Stack as manito.json": asks the host to write the stack it serves without
// a manito.json (inferred from the folder, or the embedded default), then opens the file. The
// host's config watcher serves the file from then on. Linked from the tree, the status bar tooltip
// and the dashboard.
import * as vscode from 'vscode';
import { SAVE_INFERRED_COMMAND, SAVE_INFERRED_TITLE } from '../protocol/configOrigin';
import { SaveInferredConfig } from '../protocol/lsp';
import type { HostController } from './hostController';
import type { Log } from './log';

/** `controller()`: the host of the folder to save (the active editor's folder). */
export function registerSaveConfigCommand(active: () => HostController | undefined, log: Log): vscode.Disposable {
  return vscode.commands.registerCommand(SAVE_INFERRED_COMMAND, async () => {
    const controller = active();
    if (!controller) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Manito works on a folder: open the folder of your stack first.'));
      return;
    }
    if (!controller.isRunning) {
      const choice = await vscode.window.showWarningMessage(`Manito: ${SAVE_INFERRED_TITLE} needs the host. ${controller.unavailableReason}`, 'Restart Host', 'Show Logs');
      if (choice === 'Restart Host') await controller.restart();
      else if (choice === 'Show Logs') log.show();
      return;
    }
    try {
      const result = await controller.request(SaveInferredConfig.type);
      log.info(result.message);
      // Quiet success: the opened file says it; only trouble gets a toast.
      if (result.ok) vscode.window.setStatusBarMessage(`$(check) Manito: ${result.message}`, 5000);
      else void vscode.window.showWarningMessage(`Manito: ${result.message}`);
      // Saved or already there: either way the file is what to look at next.
      if (result.path && (result.ok || /already exists/.test(result.message))) await vscode.window.showTextDocument(vscode.Uri.file(result.path), { preview: false });
    } catch (error) {
      log.error(`${SAVE_INFERRED_TITLE} failed`, error);
      void vscode.window.showErrorMessage(`Manito: ${SAVE_INFERRED_TITLE} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
