// The "Services" tree: one item per service of the stack with its port, why it has that port,
// and its health. Items carry a contextValue so the manifest's inline menus apply to them.
import * as vscode from 'vscode';
import { brokenConfigNote, type ConfigError, type ConfigSource, type ServiceView, type StackSnapshot } from '../protocol/model';
import type { HostController } from './hostController';
import { ResolvedTooltips } from './resolvedTooltips';
import { runnerLine } from './runnerLine';
import { healthIcon, isBrowsable, md, reasonLabel, serviceDescription } from './serviceLabels';

/** A service's row. Its tooltip is left unset: the provider resolves it on hover, from the latest snapshot. */
export class ServiceItem extends vscode.TreeItem {
  constructor(readonly service: ServiceView) {
    super(service.name, vscode.TreeItemCollapsibleState.None);
    this.id = `service:${service.name}`;
    this.description = serviceDescription(service);
    this.iconPath = healthIcon(service);
    this.contextValue = serviceContext(service);
    this.accessibilityInformation = { label: `${service.name}, ${this.description}`, role: 'treeitem' };
  }
}

export class ConfigErrorItem extends vscode.TreeItem {
  constructor(readonly error: ConfigError, configPath: string, errorCount: number, source: ConfigSource) {
    super(`manito.json:${error.line}:${error.column}`, vscode.TreeItemCollapsibleState.None);
    this.id = `config-error:${error.line}:${error.column}:${error.message}`;
    this.description = error.message;
    this.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    this.tooltip = new vscode.MarkdownString(`${md(error.message)}${error.path ? `\n\nat \`${error.path}\`` : ''}\n\n${md(brokenConfigNote(errorCount, source))}.`);
    this.contextValue = 'configError';
    const position = new vscode.Position(Math.max(0, error.line - 1), Math.max(0, error.column - 1));
    this.command = {
      command: 'vscode.open',
      title: 'Open manito.json',
      arguments: [vscode.Uri.file(configPath), { selection: new vscode.Range(position, position) }],
    };
  }
}

/** Shown above the default stack's services: where they come from and how to make them yours. */
export class DefaultStackItem extends vscode.TreeItem {
  constructor() {
    super('Embedded default stack', vscode.TreeItemCollapsibleState.None);
    this.id = 'default-stack';
    this.description = 'no manito.json: create one';
    this.iconPath = new vscode.ThemeIcon('info');
    this.tooltip = new vscode.MarkdownString(
      'This workspace has no `manito.json`, so Manito allocates and watches the seed\'s six services. '
      + 'Click to write a `manito.json` from them, then add the commands that start your services.',
    );
    this.contextValue = 'defaultStack';
    this.command = { command: 'manito.createConfig', title: 'Create Config' };
  }
}

export type ManitoTreeItem = ServiceItem | ConfigErrorItem | DefaultStackItem;

export class ServicesTreeProvider implements vscode.TreeDataProvider<ManitoTreeItem>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ManitoTreeItem | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** The rows last handed to VS Code, by service: one can be refreshed on its own. */
  private readonly rows = new Map<string, ServiceItem>();
  private readonly tooltips = new ResolvedTooltips((service) => {
    const row = this.rows.get(service);
    if (row) this.changeEmitter.fire(row);
  });
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter, this.tooltips];
  private shown = '';

  constructor(private readonly controller: HostController) {
    this.disposables.push(
      controller.onDidChangeSnapshot((snapshot) => this.refreshIfChanged(snapshot)),
      controller.onDidChangeState(() => this.refresh()),
    );
  }

  refresh(): void {
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
  private refreshIfChanged(snapshot: StackSnapshot): void {
    const rows = snapshot.services.map(({ lastCheck, latencyMs, history, ...row }) => row);
    const key = JSON.stringify([snapshot.configSource, snapshot.configPath, snapshot.configErrors, rows]);
    if (key === this.shown) {
      this.tooltips.changed((service) => {
        const view = snapshot.services.find((s) => s.name === service);
        return view && serviceTooltip(view).value;
      });
      return;
    }
    this.shown = key;
    this.refresh();
  }

  getTreeItem(element: ManitoTreeItem): vscode.TreeItem {
    return element;
  }

  /** Called on hover for a row without a tooltip: a service's, built from what the host says now. */
  resolveTreeItem(item: vscode.TreeItem, element: ManitoTreeItem): vscode.TreeItem | undefined {
    if (!(element instanceof ServiceItem)) return undefined;
    const name = element.service.name;
    const service = this.controller.snapshot?.services.find((s) => s.name === name) ?? element.service;
    const tooltip = serviceTooltip(service);
    this.tooltips.resolved(name, tooltip.value);
    // A copy: the row itself keeps no tooltip, so VS Code asks again after the row is refreshed.
    const resolved = new vscode.TreeItem(item.label ?? name, item.collapsibleState);
    resolved.tooltip = tooltip;
    resolved.command = item.command;
    return resolved;
  }

  getChildren(element?: ManitoTreeItem): ManitoTreeItem[] {
    if (element) return [];
    const snapshot = this.controller.snapshot;
    if (!snapshot) return [];
    return [
      // Without a manito.json the default stack is still served: show it, and say how to own it.
      ...(snapshot.configSource === 'default' ? [new DefaultStackItem()] : []),
      ...snapshot.configErrors.map((e) => new ConfigErrorItem(e, snapshot.configPath ?? 'manito.json', snapshot.configErrors.length, snapshot.configSource)),
      ...this.serviceRows(snapshot.services),
    ];
  }

  private serviceRows(services: ServiceView[]): ServiceItem[] {
    this.rows.clear();
    return services.map((s) => {
      const row = new ServiceItem(s);
      this.rows.set(s.name, row);
      return row;
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Space-separated flags matched by `viewItem =~ /\bflag\b/` in package.json menus. */
function serviceContext(service: ServiceView): string {
  const flags = ['service'];
  const managed = service.runner === 'terminal' || service.runner === 'process';
  if (service.hasCommand && !managed && service.runner !== 'detected') flags.push('startable');
  if (managed) flags.push('running');
  if (service.runner === 'detected') flags.push('external');
  if (service.url) flags.push('hasUrl');
  if (isBrowsable(service) && service.port !== null) flags.push('browsable');
  return flags.join(' ');
}

function serviceTooltip(service: ServiceView): vscode.MarkdownString {
  const tip = new vscode.MarkdownString('', true);
  tip.appendMarkdown(`**${md(service.name)}**${service.description ? ` · ${md(service.description)}` : ''}\n\n`);
  if (service.error) {
    tip.appendMarkdown(`$(warning) ${md(service.error)}\n\n`);
  } else if (service.port !== null) {
    tip.appendMarkdown(`Port **${service.port}** (${md(reasonLabel(service.reason) ?? 'unassigned')})${service.explanation ? `: ${md(service.explanation)}` : ''}\n\n`);
  }
  // The probe's time too, so a reader can tell how current the latency is.
  const probe = service.latencyMs === null ? '' : ` · last probe ${service.latencyMs} ms${service.lastCheck ? ` at ${timeOf(service.lastCheck)}` : ''}`;
  tip.appendMarkdown(`Health: **${service.health}** since ${timeOf(service.healthSince)}${probe}\n\n`);
  if (service.url) tip.appendMarkdown(`URL: ${md(service.url)}\n\n`);
  tip.appendMarkdown(runnerLine(service));
  if (service.dependsOn.length) tip.appendMarkdown(`\n\nDepends on: ${service.dependsOn.map(md).join(', ')}`);
  return tip;
}

function timeOf(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? md(iso) : time.toLocaleTimeString();
}
