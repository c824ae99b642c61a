// How a service reads in the tree, the status bar and messages: one place for the wording, the
// icons and the theme colours, so every surface says the same thing.
import * as vscode from 'vscode';
import { primaryUrl, type HealthState, type Reason, type ServiceView } from '../protocol/model';
// md lives in a module without vscode, so pure wording (runnerLine.ts) can share it.
export { md } from './markdownText';

const REASON_LABEL: Record<Reason, string> = {
  preferred: 'preferred',
  fallback: 'fallback',
  inherited: 'inherited',
  detected_running: 'detected',
  moved: 'moved',
};

export function reasonLabel(reason: Reason | null): string | undefined {
  return reason ? REASON_LABEL[reason] : undefined;
}

/**
 * "api.shop.localhost:14730 · 3001 · moved · healthy": the named URL first (it survives the port's
 * moves), without its scheme; "3001 · moved · healthy" when the proxy gives none; "no port · stopped".
 */
export function serviceDescription(service: ServiceView): string {
  const named = service.namedUrl?.replace(/^[a-z]+:\/\//, '');
  // A compose service names its container, as `docker ps` does.
  const container = service.container ? `container ${service.container}` : undefined;
  return [named, service.port ?? 'no port', reasonLabel(service.reason), service.health, container].filter((p) => p !== undefined).join(' · ');
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
