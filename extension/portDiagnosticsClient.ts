// The editor's side of the host's hard-coded-port diagnostics: which documents the language client
// hands the host (so diagnostics follow unsaved edits and the Quick Fix is asked for), and the
// setting `manito.diagnostics.hardcodedPorts`, sent at start and whenever it changes.
import * as vscode from 'vscode';
import type { DocumentSelector } from 'vscode-languageclient/node';
import type { HostSettings } from '../protocol/lsp';

/** Source and config files the scan reads (server/infer/scanRules.ts); manito.json for its own diagnostics. */
export const HOST_DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', pattern: '**/manito.json' },
  { scheme: 'file', pattern: '**/*.{js,jsx,ts,tsx,mjs,cjs,mts,cts,vue,svelte,astro,py,yml,yaml,toml}' },
  { scheme: 'file', pattern: '**/{.env,.env.*,*.env,Procfile}' },
];

export function hostSettings(): HostSettings {
  return { hardcodedPortDiagnostics: vscode.workspace.getConfiguration('manito').get<boolean>('diagnostics.hardcodedPorts', true) };
}

/** Tells the host when a setting it acts on changes. */
export function watchHostSettings(send: (settings: HostSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('manito.diagnostics.hardcodedPorts')) send(hostSettings());
  });
}
