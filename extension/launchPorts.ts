// `${command:manito.port.<service>}` in a launch configuration resolves in that configuration's
// own folder. VS Code runs such a command with no hint of the folder, so before it substitutes
// anything (resolveDebugConfiguration runs first, for every debug type with '*') the variables
// that name a Manito port are replaced here with the port of the service in the launch's folder.
import * as vscode from 'vscode';
import type { FolderHosts } from './folderHosts';

const PORT_VARIABLE = /\$\{command:manito\.port\.([A-Za-z0-9_.-]+)\}/g;
const SNAPSHOT_WAIT_MS = 15_000;

/** `onPortUsed`: told of each port resolved (the walkthrough's launch.json step). */
export function registerLaunchPorts(hosts: FolderHosts, onPortUsed?: (service: string) => void): vscode.Disposable {
  return vscode.debug.registerDebugConfigurationProvider('*', {
    async resolveDebugConfiguration(folder, config) {
      const host = folder && hosts.find(folder);
      if (!host || !JSON.stringify(config).includes('${command:manito.port.')) return config;
      const snapshot = host.controller.snapshot ?? await host.controller.waitForSnapshot(SNAPSHOT_WAIT_MS);
      const portOf = (service: string): string => {
        const view = snapshot?.services.find((s) => s.name === service);
        if (!snapshot) throw new Error(`Manito does not know the ports of ${host.folder.name} yet. ${host.controller.unavailableReason}`);
        if (!view) throw new Error(`Manito has no service "${service}" in ${host.folder.name}; it has ${snapshot.services.map((s) => s.name).join(', ')}`);
        if (view.port === null) throw new Error(`${service} of ${host.folder.name} has no port: ${view.error ?? view.explanation}`);
        onPortUsed?.(service);
        return String(view.port);
      };
      try {
        return substitute(config, (text) => text.replace(PORT_VARIABLE, (_, service: string) => portOf(service))) as vscode.DebugConfiguration;
      } catch (error) {
        void vscode.window.showErrorMessage(`Manito: ${error instanceof Error ? error.message : String(error)}`);
        return undefined; // abort the launch: a wrong port would be worse
      }
    },
  });
}

/** A copy of a JSON value with every string passed through `map`. */
export function substitute(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, map));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, map)]));
  return value;
}
