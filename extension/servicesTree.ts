// The "Services" tree: one item per service of the stack with its port, why it has that port,
// and its health. Items carry a contextValue so the manifest's inline menus apply to them.
import * as vscode from 'vscode';
import type { ConfigError, ServiceView, StackSnapshot } from '../protocol/model';
import type { HostController } from './hostController';
import { healthIcon, isBrowsable, md, reasonLabel, serviceDescription } from './serviceLabels';

export class ServiceItem extends vscode.TreeItem {
  constructor(readonly service: ServiceView) {
    super(service.name, vscode.TreeItemCollapsibleState.None);
    this.id = `service:${service.name}`;
    this.description = serviceDescription(service);
    this.iconPath = healthIcon(service);
    this.tooltip = serviceTooltip(service);
    this.contextValue = serviceContext(service);
    this.accessibilityInformation = { label: `${service.name}, ${this.description}`, role: 'treeitem' };
  }
}

export class ConfigErrorItem extends vscode.TreeItem {
  constructor(readonly error: ConfigError, configPath: string) {
    super(`manito.json:${error.line}:${error.column}`, vscode.TreeItemCollapsibleState.None);
    this.id = `config-error:${error.line}:${error.column}:${error.message}`;
    this.description = error.message;
    this.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    this.tooltip = new vscode.MarkdownString(`${md(error.message)}${error.path ? `\n\nat \`${error.path}\`` : ''}\n\nManito serves the last good config until this is fixed.`);
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
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];
  private shown = '';

  constructor(private readonly controller: HostController) {
    this.disposables.push(
      controller.onDidChangeSnapshot((snapshot) => this.refreshIfChanged(snapshot)),
      controller.onDidChangeState(() => this.refresh()),
    );
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  /**
   * Health samples arrive every few hundred ms. Re-rendering the rows on each would close a row's
   * tooltip before it ever shows, so refresh only when a row would change beyond its last probe.
   */
  private refreshIfChanged(snapshot: StackSnapshot): void {
    const rows = snapshot.services.map(({ lastCheck, latencyMs, history, ...row }) => row);
    const key = JSON.stringify([snapshot.configSource, snapshot.configPath, snapshot.configErrors, rows]);
    if (key === this.shown) return;
    this.shown = key;
    this.refresh();
  }

  getTreeItem(element: ManitoTreeItem): vscode.TreeItem {
    return element;
  }

  getChildren(element?: ManitoTreeItem): ManitoTreeItem[] {
    if (element) return [];
    const snapshot = this.controller.snapshot;
    if (!snapshot) return [];
    return [
      // Without a manito.json the default stack is still served: show it, and say how to own it.
      ...(snapshot.configSource === 'default' ? [new DefaultStackItem()] : []),
      ...snapshot.configErrors.map((e) => new ConfigErrorItem(e, snapshot.configPath ?? 'manito.json')),
      ...snapshot.services.map((s) => new ServiceItem(s)),
    ];
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
  const since = new Date(service.healthSince);
  const latency = service.latencyMs === null ? '' : ` · last probe ${service.latencyMs} ms`;
  tip.appendMarkdown(`Health: **${service.health}** since ${Number.isNaN(since.getTime()) ? md(service.healthSince) : since.toLocaleTimeString()}${latency}\n\n`);
  if (service.url) tip.appendMarkdown(`URL: ${md(service.url)}\n\n`);
  const runner = service.runner === 'terminal' ? `in terminal "${md(service.name)}"`
    : service.runner === 'process' ? 'as a child of `manito up`'
      : service.runner === 'detected' ? 'already running (found, not started by Manito)' : service.hasCommand ? 'not running' : 'not started by Manito (no command)';
  tip.appendMarkdown(`Runs ${runner}${service.pid ? ` · pid ${service.pid}` : ''}`);
  if (service.dependsOn.length) tip.appendMarkdown(`\n\nDepends on: ${service.dependsOn.map(md).join(', ')}`);
  return tip;
}
