// Manito's settings, read through settingsValues.ts and applied live: a change to the host's ports
// restarts the host (it binds them at start), a change to the restart limit applies at once.
import * as vscode from 'vscode';
import type { Log } from './log';
import { type ManitoSettings, needsHostRestart, readSettings } from './settingsValues';

/** The configuration as it is now. `inspect` tells "not set" apart from "set to the default". */
export function currentSettings(): ManitoSettings {
  const config = vscode.workspace.getConfiguration('manito');
  const explicit = (key: string): unknown => {
    const i = config.inspect(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  };
  return readSettings({ ports: explicit('host.ports'), legacyPort: explicit('host.port'), restartLimit: explicit('host.restartLimit') });
}

/** What settings change in the host controller (an interface, so hostController.ts may import this file). */
export interface SettingsTarget {
  readonly state: string;
  readonly isRunning: boolean;
  setCrashLimit(limit: number): void;
  restart(): Promise<void>;
}

/** Re-reads the settings whenever a `manito.*` one changes and applies the difference to `host`. */
export function watchSettings(host: SettingsTarget, log: Log): vscode.Disposable {
  let applied = currentSettings();
  for (const note of applied.notes) log.warn(`settings: ${note}`);
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration('manito')) return;
    const next = currentSettings();
    for (const note of next.notes) log.warn(`settings: ${note}`);
    if (next.restartLimit !== applied.restartLimit) {
      host.setCrashLimit(next.restartLimit);
      log.info(`settings: the host is now restarted after up to ${next.restartLimit} crashes in three minutes`);
    }
    const restart = needsHostRestart(applied, next) && host.state !== 'stopped';
    applied = next;
    if (restart) {
      log.info(`settings: host ports changed to ${next.hostPorts.join(', ') || 'the default range'}; restarting the host`);
      void host.restart().then(() => {
        if (host.isRunning) vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Manito host restarted with the new ports'), 5000);
      });
    }
  });
}
