// How a service reads in the tree, the status bar and messages: one place for the wording, the
// icons and the theme colours, so every surface says the same thing.
import * as vscode from 'vscode';
import { primaryUrl, type HealthState, type Reason, type ServiceView } from '../protocol/model';
// md lives in a module without vscode, so pure wording (runnerLine.ts) can share it.
export { md } from './markdownText';

// Functions, not strings: vscode.l10n.t answers in the display language only once activated.
const REASON_LABEL: Record<Reason, () => string> = {
  preferred: () => vscode.l10n.t('preferred'),
  fallback: () => vscode.l10n.t('fallback'),
  inherited: () => vscode.l10n.t('inherited'),
  detected_running: () => vscode.l10n.t('detected'),
  moved: () => vscode.l10n.t('moved'),
};

export function reasonLabel(reason: Reason | null): string | undefined {
  return reason ? REASON_LABEL[reason]() : undefined;
}

const HEALTH_LABEL: Record<HealthState, () => string> = {
  healthy: () => vscode.l10n.t('healthy'),
  starting: () => vscode.l10n.t('starting'),
  unhealthy: () => vscode.l10n.t('unhealthy'),
  stopped: () => vscode.l10n.t('stopped'),
};

export function healthLabel(state: HealthState): string {
  return HEALTH_LABEL[state]();
}

/**
 * "api.shop.localhost:14730 · 3001 · moved · healthy": the named URL first (it survives the port's
 * moves), without its scheme; "3001 · moved · healthy" when the proxy gives none; "no port · stopped";
 * "… · 3000 free again" when the holder that forced a move has gone.
 */
export function serviceDescription(service: ServiceView): string {
  const named = service.namedUrl?.replace(/^[a-z]+:\/\//, '');
  // A compose service names its container, as `docker ps` does.
  const container = service.container ? vscode.l10n.t('container {0}', service.container) : undefined;
  const freed = service.moveBack ? vscode.l10n.t('{0} free again', service.moveBack.port) : undefined;
  return [named, service.port ?? vscode.l10n.t('no port'), reasonLabel(service.reason), healthLabel(service.health), container, freed, instancesLabel(service)].filter((p) => p !== undefined).join(' · ');
}

/** "3 instances: 2 healthy" on a multi-instance service's row. */
export function instancesLabel(service: ServiceView): string | undefined {
  const n = service.instances;
  return n ? vscode.l10n.t('{0} instances: {1} healthy', n.total, n.healthy) : undefined;
}

const HEALTH_ICON: Record<HealthState, [icon: string, color: string]> = {
  healthy: ['pass-filled', 'testing.iconPassed'],
  starting: ['loading~spin', 'testing.iconQueued'],
  unhealthy: ['error', 'errorForeground'],
  stopped: ['circle-large-outline', 'disabledForeground'],
};

export function healthIcon(service: ServiceView): vscode.ThemeIcon {
  if (service.error) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  const [icon, color] = HEALTH_ICON[service.health];
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

/** The codicon for a health state, for Markdown (`$(name)`), where colours are not available. */
export function healthCodicon(service: ServiceView): string {
  if (service.error) return '$(warning)';
  return `$(${HEALTH_ICON[service.health][0].replace('~spin', '')})`;
}

/** Services can be opened in a browser when they speak HTTP. */
export function isBrowsable(service: ServiceView): boolean {
  return primaryUrl(service)?.startsWith('http') === true;
}
