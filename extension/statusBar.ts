// The port indicator: the stack's ports at a glance ("server 3001 · client 5173"), coloured by
// the host's status notification, with a Markdown tooltip of every service and command links.
// With several served folders it shows the active editor's folder (else the first), named.
import * as vscode from 'vscode';
import type { HostStatusParams } from '../protocol/lsp';
import { brokenConfigNote, overallHealth, type OverallHealth, type StackSnapshot } from '../protocol/model';
import type { FolderHost, FolderHosts } from './folderHosts';
import type { HostState } from './hostController';
import { SAVE_INFERRED_COMMAND, SAVE_INFERRED_TITLE } from '../protocol/configOrigin';
import { healthCodicon, isBrowsable, md, serviceDescription } from './serviceLabels';

/** Services named in the item itself; the rest are in the tooltip. */
const MAX_IN_TEXT = 3;

const LINK_COMMANDS = ['manito.startStack', 'manito.stopStack', 'manito.openDashboard', 'manito.showLogs', 'manito.restartHost', 'manito.createConfig', SAVE_INFERRED_COMMAND];

export class PortStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly hosts: FolderHosts) {
    this.item = vscode.window.createStatusBarItem('manito.ports', vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Manito Ports');
    this.item.command = 'manito.services.focus';
    this.disposables.push(
      this.item,
      hosts.onDidChange((host) => { if (!host || host === hosts.active) this.update(); }),
      hosts.onDidChangeActive(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const host = this.hosts.active;
    if (!host) {
      this.item.hide();
      return;
    }
    this.item.show();
    const { state, snapshot, status } = host.controller;
    // Which folder's ports these are, once there is more than one to tell apart.
    const folder = this.hosts.size > 1 ? `${host.folder.name}: ` : '';
    const health: OverallHealth = status?.health ?? (snapshot ? overallHealth(snapshot) : 'stopped');
    if (state !== 'running' || !snapshot) {
      this.item.text = state === 'starting' ? `$(plug) ${folder}Manito` : `$(plug) ${folder}${vscode.l10n.t('Manito: host stopped')}`;
      this.item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.item.tooltip = this.hostTooltip(host, state);
      this.item.accessibilityInformation = { label: vscode.l10n.t('Manito: {0}', `${folder}${host.controller.unavailableReason}`) };
      return;
    }
    // Services people open (HTTP, Vite) first, then the rest, each group in config order.
    // A multi-instance service shows its front's port; its instances are rows of the tree.
    const withPort = snapshot.services.filter((s) => s.port !== null && s.reason !== 'inherited' && !s.instanceOf);
    const shown = [...withPort.filter(isBrowsable), ...withPort.filter((s) => !isBrowsable(s))];
    const parts = shown.slice(0, MAX_IN_TEXT).map((s) => `${s.name} ${s.port}`);
    if (shown.length > MAX_IN_TEXT) parts.push(`+${shown.length - MAX_IN_TEXT}`);
    // The tree's "stopped" circle when nothing runs, so the item says so before anyone hovers it.
    this.item.text = `${health === 'stopped' ? '$(circle-large-outline)' : '$(radio-tower)'} ${folder}${parts.length ? parts.join(' · ') : 'Manito'}`;
    this.item.backgroundColor = health === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : health === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.stackTooltip(host, snapshot, status);
    this.item.accessibilityInformation = {
      label: vscode.l10n.t('Manito ports: {0}; {1}', `${folder}${shown.map((s) => `${s.name} ${s.port}`).join(', ') || vscode.l10n.t('none')}`, status?.message ?? health),
    };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private stackTooltip(host: FolderHost, snapshot: StackSnapshot, status: HostStatusParams | undefined): vscode.MarkdownString {
    const tip = this.markdown();
    const folder = this.hosts.size > 1 ? ` · ${md(host.folder.name)}` : '';
    tip.appendMarkdown(`**Manito**${folder} · ${md(status?.message ?? overallHealth(snapshot))}\n\n`);
    for (const s of snapshot.services.filter((v) => !v.instanceOf)) {
      const line = `${healthCodicon(s)} **${md(s.name)}** ${md(serviceDescription(s))}`;
      // Every line says why the service has its port; inherited ones just follow their parent.
      const why = s.error ?? (s.reason === 'inherited' ? '' : s.explanation);
      tip.appendMarkdown(`${line}${why ? ` — ${md(why)}` : ''}\n\n`);
    }
    if (snapshot.configErrors.length) {
      tip.appendMarkdown(`$(warning) ${brokenConfigNote(snapshot.configErrors.length, snapshot.configSource)}\n\n`);
    }
    if (snapshot.configSource === 'default') tip.appendMarkdown(`$(info) ${md(vscode.l10n.t('No manito.json, {0}: watching the default stack', snapshot.configOrigin.label))}\n\n`);
    if (snapshot.configSource === 'inferred') tip.appendMarkdown(`$(sparkle) ${md(vscode.l10n.t('No manito.json: services {0}', snapshot.configOrigin.label))}\n\n`);
    tip.appendMarkdown('---\n\n');
    // Start and Stop act on the folder shown, not on a folder picked afterwards.
    const here = `?${encodeURIComponent(JSON.stringify([{ folder: host.key }]))}`;
    const links = [link('run-all', vscode.l10n.t('Start'), `manito.startStack${here}`), link('debug-stop', vscode.l10n.t('Stop'), `manito.stopStack${here}`),
      link('dashboard', vscode.l10n.t('Open Dashboard'), 'manito.openDashboard'), link('output', vscode.l10n.t('Show Logs'), 'manito.showLogs')];
    if (snapshot.configSource === 'default') links.push(link('new-file', vscode.l10n.t('Create Config'), `manito.createConfig${here}`));
    if (snapshot.configSource === 'inferred') links.push(link('save', SAVE_INFERRED_TITLE, SAVE_INFERRED_COMMAND));
    tip.appendMarkdown(links.join(' · '));
    return tip;
  }

  private hostTooltip(host: FolderHost, state: HostState): vscode.MarkdownString {
    const tip = this.markdown();
    tip.appendMarkdown(`**Manito** · ${md(host.controller.unavailableReason)}\n\n---\n\n`);
    const here = `?${encodeURIComponent(JSON.stringify([{ folder: host.key }]))}`;
    const logs = link('output', vscode.l10n.t('Show Logs'), 'manito.showLogs');
    tip.appendMarkdown(state === 'starting' ? logs : `${link('refresh', vscode.l10n.t('Restart Host'), `manito.restartHost${here}`)} · ${logs}`);
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
