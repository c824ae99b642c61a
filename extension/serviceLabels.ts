// How a service reads in the tree, the status bar and messages: one place for the wording, the
// icons and the theme colours, so every surface says the same thing.
import * as vscode from 'vscode';
import type { HealthState, Reason, ServiceView } from '../protocol/model';
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

/** "3001 · moved · healthy", "3001 · fallback · healthy · 3000 free again", or "no port · stopped". */
export function serviceDescription(service: ServiceView): string {
  const freed = service.moveBack ? `${service.moveBack.port} free again` : undefined;
  return [service.port ?? 'no port', reasonLabel(service.reason), service.health, freed].filter((p) => p !== undefined).join(' · ');
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
  return service.url !== null && service.url.startsWith('http');
}
