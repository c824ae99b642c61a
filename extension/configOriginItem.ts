// The tree's first row when there is no manito.json: where the services come from (inferred from
// which files, or the embedded default because nothing was found), clicking it saves them.
import * as vscode from 'vscode';
import { SAVE_INFERRED_COMMAND, SAVE_INFERRED_TITLE } from '../protocol/configOrigin';
import type { ConfigOrigin, EnvWire, ServiceView } from '../protocol/model';
import { md } from './serviceLabels';

export class InferredStackItem extends vscode.TreeItem {
  constructor(origin: ConfigOrigin, folderKey = '') {
    super(vscode.l10n.t('Inferred stack'), vscode.TreeItemCollapsibleState.None);
    this.id = `${folderKey}inferred-stack`;
    this.description = origin.label;
    this.iconPath = new vscode.ThemeIcon('sparkle');
    const tip = new vscode.MarkdownString('', true);
    tip.isTrusted = { enabledCommands: [SAVE_INFERRED_COMMAND] };
    tip.appendMarkdown(`No \`manito.json\` here: Manito ${md(origin.label.replace(/^inferred/, 'inferred these services'))}.\n\n`);
    if (origin.files.length) tip.appendMarkdown(origin.files.map((f) => `- \`${f}\``).join('\n') + '\n\n');
    tip.appendMarkdown(`[$(save) ${SAVE_INFERRED_TITLE}](command:${SAVE_INFERRED_COMMAND}) to edit and commit them.`);
    this.tooltip = tip;
    this.contextValue = 'inferredStack';
    this.command = { command: SAVE_INFERRED_COMMAND, title: SAVE_INFERRED_TITLE };
  }
}

/** The tooltip lines on where an inferred service comes from and what its environment gets. */
export function wiringMarkdown(service: ServiceView): string {
  let out = '';
  if (service.inferredFrom?.length) out += `\n\nInferred from ${service.inferredFrom.map((f) => md(f)).join('; ')}`;
  if (service.env?.length) out += `\n\nEnvironment at start:\n\n${service.env.map(envLine).join('\n')}`;
  return out;
}

function envLine(wire: EnvWire): string {
  return `- \`${wire.name}=${wire.value.replace(/`/g, "'")}\`${wire.why ? ` · ${md(wire.why)}` : ''}`;
}
