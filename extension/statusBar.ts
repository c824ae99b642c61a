// The port indicator: the stack's ports at a glance ("server 3001 · client 5173"), coloured by
// the host's status notification, with a Markdown tooltip of every service and command links.
import * as vscode from 'vscode';
import type { HostStatusParams } from '../protocol/lsp';
import { brokenConfigNote, overallHealth, type OverallHealth, type StackSnapshot } from '../protocol/model';
import type { HostController, HostState } from './hostController';
import { SAVE_INFERRED_COMMAND, SAVE_INFERRED_TITLE } from '../protocol/configOrigin';
import { healthCodicon, isBrowsable, md, serviceDescription } from './serviceLabels';

/** Services named in the item itself; the rest are in the tooltip. */
const MAX_IN_TEXT = 3;

const LINK_COMMANDS = ['manito.startStack', 'manito.stopStack', 'manito.openDashboard', 'manito.showLogs', 'manito.restartHost', 'manito.createConfig', SAVE_INFERRED_COMMAND];

export class PortStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly controller: HostController) {
    this.item = vscode.window.createStatusBarItem('manito.ports', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Manito Ports';
    this.item.command = 'manito.services.focus';
    this.disposables.push(
      this.item,
      controller.onDidChangeState(() => this.update()),
      controller.onDidChangeSnapshot(() => this.update()),
      controller.onDidChangeStatus(() => this.update()),
    );
    this.update();
    this.item.show();
  }

  update(): void {
    const { state, snapshot, status } = this.controller;
    const health: OverallHealth = status?.health ?? (snapshot ? overallHealth(snapshot) : 'stopped');
    if (state !== 'running' || !snapshot) {
      this.item.text = state === 'starting' ? '$(plug) Manito' : '$(plug) Manito: host stopped';
      this.item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.item.tooltip = this.hostTooltip(state);
      this.item.accessibilityInformation = { label: `Manito: ${this.controller.unavailableReason}` };
      return;
    }
    // Services people open (HTTP, Vite) first, then the rest, each group in config order.
    const withPort = snapshot.services.filter((s) => s.port !== null && s.reason !== 'inherited');
    const shown = [...withPort.filter(isBrowsable), ...withPort.filter((s) => !isBrowsable(s))];
    const parts = shown.slice(0, MAX_IN_TEXT).map((s) => `${s.name} ${s.port}`);
    if (shown.length > MAX_IN_TEXT) parts.push(`+${shown.length - MAX_IN_TEXT}`);
    // The tree's "stopped" circle when nothing runs, so the item says so before anyone hovers it.
    this.item.text = `${health === 'stopped' ? '$(circle-large-outline)' : '$(radio-tower)'} ${parts.length ? parts.join(' · ') : 'Manito'}`;
    this.item.backgroundColor = health === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : health === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.stackTooltip(snapshot, status);
    this.item.accessibilityInformation = {
      label: `Manito ports: ${shown.map((s) => `${s.name} ${s.port}`).join(', ') || 'none'}; ${status?.message ?? health}`,
    };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private stackTooltip(snapshot: StackSnapshot, status: HostStatusParams | undefined): vscode.MarkdownString {
    const tip = this.markdown();
    tip.appendMarkdown(`**Manito** · ${md(status?.message ?? overallHealth(snapshot))}\n\n`);
    for (const s of snapshot.services) {
      const line = `${healthCodicon(s)} **${md(s.name)}** ${md(serviceDescription(s))}`;
      // Every line says why the service has its port; inherited ones just follow their parent.
      const why = s.error ?? (s.reason === 'inherited' ? '' : s.explanation);
      tip.appendMarkdown(`${line}${why ? ` — ${md(why)}` : ''}\n\n`);
    }
    if (snapshot.configErrors.length) {
      tip.appendMarkdown(`$(warning) ${brokenConfigNote(snapshot.configErrors.length, snapshot.configSource)}\n\n`);
    }
    if (snapshot.configSource === 'default') tip.appendMarkdown(`$(info) No manito.json, ${md(snapshot.configOrigin.label)}: watching the default stack\n\n`);
    if (snapshot.configSource === 'inferred') tip.appendMarkdown(`$(sparkle) No manito.json: services ${md(snapshot.configOrigin.label)}\n\n`);
    tip.appendMarkdown('---\n\n');
    const links = ['[$(run-all) Start](command:manito.startStack)', '[$(debug-stop) Stop](command:manito.stopStack)',
      '[$(dashboard) Open Dashboard](command:manito.openDashboard)', '[$(output) Show Logs](command:manito.showLogs)'];
    if (snapshot.configSource === 'default') links.push('[$(new-file) Create Config](command:manito.createConfig)');
    if (snapshot.configSource === 'inferred') links.push(`[$(save) ${SAVE_INFERRED_TITLE}](command:${SAVE_INFERRED_COMMAND})`);
    tip.appendMarkdown(links.join(' · '));
    return tip;
  }

  private hostTooltip(state: HostState): vscode.MarkdownString {
    const tip = this.markdown();
    tip.appendMarkdown(`**Manito** · ${md(this.controller.unavailableReason)}\n\n---\n\n`);
    tip.appendMarkdown(state === 'starting'
      ? '[$(output) Show Logs](command:manito.showLogs)'
      : '[$(refresh) Restart Host](command:manito.restartHost) · [$(output) Show Logs](command:manito.showLogs)');
    return tip;
  }

  private markdown(): vscode.MarkdownString {
    const tip = new vscode.MarkdownString('', true);
    tip.isTrusted = { enabledCommands: LINK_COMMANDS };
    tip.supportHtml = false;
    return tip;
  }
}
