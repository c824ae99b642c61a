// The port indicator: the stack's ports at a glance ("server 3001 · client 5173"), coloured by
// the host's status notification, with a Markdown tooltip of every service and command links.
import * as vscode from 'vscode';
import type { HostStatusParams } from '../protocol/lsp';
import { brokenConfigNote, overallHealth, type OverallHealth, type StackSnapshot } from '../protocol/model';
import type { HostController, HostState } from './hostController';
import { healthCodicon, isBrowsable, md, serviceDescription } from './serviceLabels';

/** Services named in the item itself; the rest are in the tooltip. */
const MAX_IN_TEXT = 3;

const LINK_COMMANDS = ['manito.startStack', 'manito.stopStack', 'manito.openDashboard', 'manito.showLogs', 'manito.restartHost', 'manito.createConfig'];

export class PortStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly controller: HostController) {
    this.item = vscode.window.createStatusBarItem('manito.ports', vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Manito Ports');
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
      this.item.text = state === 'starting' ? '$(plug) Manito' : `$(plug) ${vscode.l10n.t('Manito: host stopped')}`;
      this.item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.item.tooltip = this.hostTooltip(state);
      this.item.accessibilityInformation = { label: vscode.l10n.t('Manito: {0}', this.controller.unavailableReason) };
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
      label: vscode.l10n.t('Manito ports: {0}; {1}', shown.map((s) => `${s.name} ${s.port}`).join(', ') || vscode.l10n.t('none'), status?.message ?? health),
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
    if (snapshot.configSource === 'default') tip.appendMarkdown(`$(info) ${md(vscode.l10n.t('No manito.json: watching the default stack'))}\n\n`);
    tip.appendMarkdown('---\n\n');
    const links = [link('run-all', vscode.l10n.t('Start'), 'manito.startStack'), link('debug-stop', vscode.l10n.t('Stop'), 'manito.stopStack'),
      link('dashboard', vscode.l10n.t('Open Dashboard'), 'manito.openDashboard'), link('output', vscode.l10n.t('Show Logs'), 'manito.showLogs')];
    if (snapshot.configSource === 'default') links.push(link('new-file', vscode.l10n.t('Create Config'), 'manito.createConfig'));
    tip.appendMarkdown(links.join(' · '));
    return tip;
  }

  private hostTooltip(state: HostState): vscode.MarkdownString {
    const tip = this.markdown();
    tip.appendMarkdown(`**Manito** · ${md(this.controller.unavailableReason)}\n\n---\n\n`);
    const logs = link('output', vscode.l10n.t('Show Logs'), 'manito.showLogs');
    tip.appendMarkdown(state === 'starting' ? logs : `${link('refresh', vscode.l10n.t('Restart Host'), 'manito.restartHost')} · ${logs}`);
    return tip;
  }

  private markdown(): vscode.MarkdownString {
    const tip = new vscode.MarkdownString('', true);
    tip.isTrusted = { enabledCommands: LINK_COMMANDS };
    tip.supportHtml = false;
    return tip;
  }
}

/** A command link for a trusted tooltip: `[$(icon) Label](command:id)`, the label escaped. */
function link(icon: string, label: string, command: string): string {
  return `[$(${icon}) ${md(label)}](command:${command})`;
}
