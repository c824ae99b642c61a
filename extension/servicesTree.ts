// The "Services" tree: one item per service of the stack with its port, why it has that port,
// and its health, grouped under one node per served folder when there is more than one. Items
// carry a contextValue so the manifest's inline menus apply to them, and their folder's key so a
// command run from a row acts on that folder's host.
import * as vscode from 'vscode';
import { brokenConfigNote, overallHealth, type ConfigError, type ConfigSource, type ServiceView, type StackSnapshot } from '../protocol/model';
import type { FolderHost, FolderHosts } from './folderHosts';
import { InferredStackItem, wiringMarkdown } from './configOriginItem';
import { ResolvedTooltips } from './resolvedTooltips';
import { runnerLine } from './runnerLine';
import { formatClock } from '../protocol/timeFormat';
import { healthIcon, healthLabel, instancesLabel, isBrowsable, md, reasonLabel, serviceDescription } from './serviceLabels';

/** A service's row. Its tooltip is left unset: the provider resolves it on hover, from the latest snapshot. */
export class ServiceItem extends vscode.TreeItem {
  constructor(readonly service: ServiceView, readonly folderKey?: string) {
    // A multi-instance service holds a row per instance (its port and health).
    super(service.name, service.instances ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    this.id = folderKey ? `${folderKey}/service:${service.name}` : `service:${service.name}`;
    this.description = serviceDescription(service);
    this.iconPath = healthIcon(service);
    this.contextValue = serviceContext(service);
    this.accessibilityInformation = { label: `${service.name}, ${this.description}`, role: 'treeitem' };
  }
}

export class ConfigErrorItem extends vscode.TreeItem {
  constructor(readonly error: ConfigError, configPath: string, errorCount: number, source: ConfigSource, folderKey = '') {
    super(`manito.json:${error.line}:${error.column}`, vscode.TreeItemCollapsibleState.None);
    this.id = `${folderKey}config-error:${error.line}:${error.column}:${error.message}`;
    this.description = error.message;
    this.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    this.tooltip = new vscode.MarkdownString(`${md(error.message)}${error.path ? `\n\n${vscode.l10n.t('at {0}', `\`${error.path}\``)}` : ''}\n\n${md(brokenConfigNote(errorCount, source))}.`);
    this.contextValue = 'configError';
    const position = new vscode.Position(Math.max(0, error.line - 1), Math.max(0, error.column - 1));
    this.command = {
      command: 'vscode.open',
      title: vscode.l10n.t('Open manito.json'),
      arguments: [vscode.Uri.file(configPath), { selection: new vscode.Range(position, position) }],
    };
  }
}

/** Shown above the default stack's services: where they come from and how to make them yours. */
export class DefaultStackItem extends vscode.TreeItem {
  constructor(folderKey = '') {
    super(vscode.l10n.t('Embedded default stack'), vscode.TreeItemCollapsibleState.None);
    this.id = `${folderKey}default-stack`;
    this.description = vscode.l10n.t('no manito.json, nothing found to infer: create one');
    this.iconPath = new vscode.ThemeIcon('info');
    this.tooltip = new vscode.MarkdownString(vscode.l10n.t(
      'This workspace has no `manito.json` and Manito found nothing to infer a stack from (no package.json script, Python app, docker-compose service, Procfile or hard-coded port), so it allocates and watches the seed\'s six services. Click to write a `manito.json` from them, then add the commands that start your services.'));
    this.contextValue = 'defaultStack';
    this.command = { command: 'manito.createConfig', title: vscode.l10n.t('Create Config') };
  }
}

/** A served folder, shown only when the workspace has more than one: its services are its children. */
export class FolderItem extends vscode.TreeItem {
  readonly folderKey: string;
  constructor(readonly host: FolderHost) {
    super(host.folder.name, vscode.TreeItemCollapsibleState.Expanded);
    this.folderKey = host.key;
    this.id = `folder:${host.key}`;
    const { snapshot, state } = host.controller;
    const count = snapshot?.services.filter((s) => !s.instanceOf).length ?? 0;
    this.description = state !== 'running' || !snapshot
      ? host.controller.unavailableReason
      : `${count} service${count === 1 ? '' : 's'} · ${overallHealth(snapshot)}${snapshot.configSource === 'default' ? ' · default stack' : snapshot.configSource === 'inferred' ? ' · inferred' : ''}`;
    this.iconPath = new vscode.ThemeIcon('root-folder');
    this.resourceUri = host.folder.uri;
    this.tooltip = new vscode.MarkdownString(`**${md(host.folder.name)}** · ${md(host.folder.uri.fsPath)}`);
    this.contextValue = 'folder';
  }
}

export type ManitoTreeItem = FolderItem | ServiceItem | ConfigErrorItem | DefaultStackItem | InferredStackItem;

export class ServicesTreeProvider implements vscode.TreeDataProvider<ManitoTreeItem>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ManitoTreeItem | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** The rows last handed to VS Code, by folder and service: one can be refreshed on its own. */
  private readonly rows = new Map<string, ServiceItem>();
  private readonly tooltips = new ResolvedTooltips((row) => {
    const item = this.rows.get(row);
    if (item) this.changeEmitter.fire(item);
  });
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter, this.tooltips];
  /** What each folder's rows showed last, by folder key. */
  private readonly shown = new Map<string, string>();

  constructor(private readonly hosts: FolderHosts) {
    this.disposables.push(hosts.onDidChange((host) => {
      if (host?.controller.snapshot && host.controller.state === 'running') this.refreshIfChanged(host, host.controller.snapshot);
      else this.refresh();
    }));
  }

  refresh(): void {
    this.shown.clear();
    this.tooltips.reset();
    this.changeEmitter.fire(undefined);
  }

  /**
   * Health samples arrive every few hundred ms. Re-rendering the rows on each would flicker and
   * close a row's tooltip before it ever shows, so the tree is refreshed only when a row would
   * change beyond its last probe. A probe changes only tooltips, which are resolved on hover from
   * the latest snapshot; a row whose tooltip VS Code already holds is refreshed alone, when
   * ResolvedTooltips says it will not close a tooltip being read.
   */
  private refreshIfChanged(host: FolderHost, snapshot: StackSnapshot): void {
    const rows = snapshot.services.map(({ lastCheck: _c, latencyMs: _l, history: _h, ...row }) => row);
    const key = JSON.stringify([host.controller.state, snapshot.configSource, snapshot.configOrigin, snapshot.configPath, snapshot.configErrors, rows]);
    if (key === this.shown.get(host.key)) {
      this.tooltips.changed((row) => {
        const item = this.rows.get(row);
        const view = item && this.hostOf(item)?.controller.snapshot?.services.find((s) => s.name === item.service.name);
        return view && serviceTooltip(view).value;
      });
      return;
    }
    // Only this folder's key changes: the others' rows stay as they were shown.
    this.shown.set(host.key, key);
    this.tooltips.reset();
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(element: ManitoTreeItem): vscode.TreeItem {
    return element;
  }

  /** Called on hover for a row without a tooltip: a service's, built from what the host says now. */
  resolveTreeItem(item: vscode.TreeItem, element: ManitoTreeItem): vscode.TreeItem | undefined {
    if (!(element instanceof ServiceItem)) return undefined;
    const name = element.service.name;
    const service = this.hostOf(element)?.controller.snapshot?.services.find((s) => s.name === name) ?? element.service;
    const tooltip = serviceTooltip(service);
    this.tooltips.resolved(rowKey(element.folderKey, name), tooltip.value);
    // A copy: the row itself keeps no tooltip, so VS Code asks again after the row is refreshed.
    const resolved = new vscode.TreeItem(item.label ?? name, item.collapsibleState);
    resolved.tooltip = tooltip;
    resolved.command = item.command;
    return resolved;
  }

  getChildren(element?: ManitoTreeItem): ManitoTreeItem[] {
    if (element instanceof FolderItem) return this.folderRows(element.host, element.host.key);
    if (element instanceof ServiceItem && element.service.instances) return this.instanceRows(element);
    if (element) return [];
    this.rows.clear();
    const hosts = this.hosts.all;
    // One folder: its services at the top, as a single-folder window always showed them.
    if (hosts.length === 1) return this.folderRows(hosts[0], undefined);
    return hosts.map((h) => new FolderItem(h));
  }

  private folderRows(host: FolderHost, folderKey: string | undefined): ManitoTreeItem[] {
    const snapshot = host.controller.snapshot;
    if (!snapshot) return [];
    return [
      // Without a manito.json the default stack is still served: show it, and say how to own it.
      ...(snapshot.configSource === 'default' ? [new DefaultStackItem(folderKey)] : []),
      ...(snapshot.configSource === 'inferred' ? [new InferredStackItem(snapshot.configOrigin, folderKey)] : []),
      ...snapshot.configErrors.map((e) => new ConfigErrorItem(e, snapshot.configPath ?? 'manito.json', snapshot.configErrors.length, snapshot.configSource, folderKey)),
      ...snapshot.services.filter((s) => !s.instanceOf).map((s) => this.row(s, folderKey ?? host.key)),
    ];
  }

  private instanceRows(parent: ServiceItem): ServiceItem[] {
    const services = this.hostOf(parent)?.controller.snapshot?.services ?? [];
    return services.filter((s) => s.instanceOf?.service === parent.service.name).map((s) => this.row(s, parent.folderKey));
  }

  private row(service: ServiceView, folderKey: string | undefined): ServiceItem {
    const row = new ServiceItem(service, folderKey);
    this.rows.set(rowKey(row.folderKey, service.name), row);
    return row;
  }

  private hostOf(item: ServiceItem): FolderHost | undefined {
    return item.folderKey ? this.hosts.find(item.folderKey) : this.hosts.all[0];
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function rowKey(folderKey: string | undefined, service: string): string {
  return `${folderKey ?? ''}\n${service}`;
}

/** Space-separated flags matched by `viewItem =~ /\bflag\b/` in package.json menus. */
function serviceContext(service: ServiceView): string {
  const flags = ['service'];
  const managed = service.runner === 'process';
  if (service.hasCommand && !managed && service.runner !== 'detected') flags.push('startable');
  if (managed) flags.push('running');
  if (service.runner === 'detected') flags.push('external');
  if (service.url) flags.push('hasUrl');
  if (isBrowsable(service) && service.port !== null) flags.push('browsable');
  if (service.moveBack) flags.push('movable');
  return flags.join(' ');
}

function serviceTooltip(service: ServiceView): vscode.MarkdownString {
  const tip = new vscode.MarkdownString('', true);
  // Only the Move Back link runs a command from this tooltip.
  tip.isTrusted = { enabledCommands: ['manito.moveBack'] };
  tip.appendMarkdown(`**${md(service.name)}**${service.description ? ` · ${md(service.description)}` : ''}\n\n`);
  if (service.error) {
    tip.appendMarkdown(`$(warning) ${md(service.error)}\n\n`);
  } else if (service.port !== null) {
    const reason = md(reasonLabel(service.reason) ?? vscode.l10n.t('unassigned'));
    tip.appendMarkdown(`${vscode.l10n.t('Port **{0}** ({1})', service.port, reason)}${service.explanation ? `: ${md(service.explanation)}` : ''}\n\n`);
    if (service.moveBack) tip.appendMarkdown(`[$(history) ${vscode.l10n.t('Move back to {0}', service.moveBack.port)}](command:manito.moveBack?${encodeURIComponent(JSON.stringify([service.name]))})\n\n`);
  }
  // The probe's time too, so a reader can tell how current the latency is.
  const probe = service.latencyMs === null ? ''
    : service.lastCheck ? ` · ${vscode.l10n.t('last probe {0} ms at {1}', service.latencyMs, timeOf(service.lastCheck))}`
      : ` · ${vscode.l10n.t('last probe {0} ms', service.latencyMs)}`;
  const waiting = service.waitingForStart ? ` · ${vscode.l10n.t('command check waiting for start')}` : '';
  tip.appendMarkdown(`${vscode.l10n.t('Health: **{0}** since {1}', healthLabel(service.health), timeOf(service.healthSince))}${probe}${waiting}\n\n`);
  const instances = instancesLabel(service);
  if (instances) tip.appendMarkdown(`${md(instances)}\n\n`);
  // The named URL first: it keeps working when the port moves; the port's own URL after it.
  if (service.namedUrl) tip.appendMarkdown(`URL: ${md(service.namedUrl)}\n\n`);
  if (service.url) tip.appendMarkdown(`${service.namedUrl ? vscode.l10n.t('Port URL') : 'URL'}: ${md(service.url)}\n\n`);
  tip.appendMarkdown(runnerLine(service, vscode.l10n.t));
  if (service.dependsOn.length) tip.appendMarkdown(`\n\n${vscode.l10n.t('Depends on: {0}', service.dependsOn.map(md).join(', '))}`);
  tip.appendMarkdown(wiringMarkdown(service));
  return tip;
}

function timeOf(iso: string): string {
  return formatClock(iso) || md(iso);
}
