// Builds the dashboard from its state: header with host status, notices, the services table and
// the events list. Rebuilt on every message; `tick` only refreshes the clocks once a second.
import type { OverallHealth, ServiceView, StackSnapshot } from '../protocol/model';
import { brokenConfigNote, overallHealth, primaryUrl } from '../protocol/model';
import type { DashboardAction } from '../protocol/webview';
import type { DashboardState } from './dashboardState';
import { hostUptimeMs, pendingKey } from './dashboardState';
import { h, icon, replaceChildrenKeepingFocus } from './dom';
import { configOriginNotice } from './configOrigin';
import { eventsList } from './eventsList';
import { elapsedSince, formatDuration, formatLatency, healthIcon, healthLabel, healthSummary, isBrowsable, reasonLabel } from './format';
import { historyStrip, expectedDownAtFor } from './historyStrip';
import { ownershipNote } from './ownershipNote';
import { t } from './strings';
import { urlCell } from './urlCell';
import { usageView } from './usageView';

export interface ViewOptions {
  mode: 'vscode' | 'browser';
  /** Start, stop and restart are offered (in the browser only with the host token). */
  canControl: boolean;
  canShowTerminal: boolean;
  /** Said once above the services when the page cannot change anything. */
  readOnlyNote?: string;
  /** What to do when the host cannot be reached, for this mode. */
  disconnectedHint: string;
}

export interface DashboardRoot {
  header: HTMLElement;
  notices: HTMLElement;
  services: HTMLElement;
  events: HTMLElement;
  usage: HTMLElement;
  /** Static text, rebuilt only when the words change (a rebuild would close the open details). */
  ownership: HTMLElement;
}

/** The fixed skeleton; sections are refilled by `render`. */
export function mountDashboard(container: HTMLElement): DashboardRoot {
  const header = h('header', { class: 'masthead' });
  const notices = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });
  const services = h('section', { class: 'services', 'aria-labelledby': 'services-heading', tabindex: -1 });
  const events = h('section', { class: 'events-section', 'aria-labelledby': 'events-heading', tabindex: -1 });
  const usage = h('section', { class: 'usage-section', 'aria-labelledby': 'usage-heading', tabindex: -1 });
  const ownership = h('div', { class: 'ownership-slot' }, ownershipNote());
  container.replaceChildren(header, notices, services, usage, events, ownership);
  return { header, notices, services, events, usage, ownership };
}

/** After the display language arrives: the sections `render` does not refill. */
export function relabel(root: DashboardRoot): void {
  root.ownership.replaceChildren(ownershipNote());
}

export function render(root: DashboardRoot, state: DashboardState, options: ViewOptions, now: number): void {
  replaceChildrenKeepingFocus(root.header, headerContent(state, options, now));
  replaceChildrenKeepingFocus(root.notices, noticesContent(state, options));
  replaceChildrenKeepingFocus(root.services, [
    h('h2', { id: 'services-heading' }, t('servicesHeading')),
    servicesContent(state, options),
  ]);
  replaceChildrenKeepingFocus(root.usage, [h('h2', { id: 'usage-heading' }, t('usageHeading')), usageView(state.usage)]);
  replaceChildrenKeepingFocus(root.events, [
    h('h2', { id: 'events-heading' }, t('eventsHeading')),
    eventsList(state.events),
  ]);
}

/** Refreshes the "for 3m 07s" clocks and the host uptime without rebuilding anything. */
export function tick(container: HTMLElement, state: DashboardState, now: number): void {
  for (const el of container.querySelectorAll<HTMLElement>('[data-since]')) {
    el.textContent = formatDuration(elapsedSince(el.dataset.since, now));
  }
  const uptime = container.querySelector<HTMLElement>('[data-uptime]');
  if (uptime) uptime.textContent = formatDuration(hostUptimeMs(state, now));
}

// The badge's icon and colour follow the worst state; its text counts the services in each state.
const OVERALL_ICON: Record<OverallHealth, string> = {
  ok: 'pass-filled',
  warning: 'warning',
  error: 'error',
  stopped: 'circle-large-outline',
};

function headerContent(state: DashboardState, options: ViewOptions, now: number): Node[] {
  const snap = state.snapshot;
  const title = h('div', { class: 'title-row' }, icon('pulse', 'title-icon'), h('h1', {}, 'Manito'));
  if (snap) {
    const overall = overallHealth(snap);
    title.appendChild(h('span', { class: `chip overall overall-${overall}` }, icon(OVERALL_ICON[overall]), healthSummary(snap.services)));
  }
  const nodes: Node[] = [title];
  if (snap) {
    nodes.push(h('p', { class: 'workspace' },
      h('span', { class: 'muted' }, t('workspace')), h('code', {}, snap.workspace),
      h('span', { class: 'muted', 'data-config-origin': '' }, ` · ${snap.configOrigin.label}`),
      h('span', { class: 'muted' }, t('strategyLine', snap.environment, snap.strategy))));
  }
  nodes.push(hostLine(state, now));
  if (snap && options.canControl) {
    const anyCommand = snap.services.some((s) => s.hasCommand);
    if (anyCommand) {
      const live = state.connection === 'connected';
      const start = actionButton(state, 'stack', 'start', t('startStack'), 'run-all', t('startStackTitle'), live && snap.host.trusted, false);
      const stop = actionButton(state, 'stack', 'stop', t('stopStack'), 'debug-stop', t('stopStackTitle'), live, false);
      // The primary button is the next thing to do: Stop once every service with a command runs.
      const primary = stackPrimary(snap.services);
      (primary === 'stop' ? stop : start).classList.add('primary');
      nodes.push(h('div', { class: 'stack-actions', role: 'group', 'aria-label': t('stackGroup'), 'data-primary': primary },
        ...(primary === 'stop' ? [stop, start] : [start, stop])));
    }
  }
  return nodes;
}

/** 'stop' when every service Manito can start is running, else 'start'. */
export function stackPrimary(services: readonly Pick<ServiceView, 'hasCommand' | 'runner'>[]): 'start' | 'stop' {
  const startable = services.filter((s) => s.hasCommand);
  return startable.length > 0 && startable.every((s) => s.runner === 'process') ? 'stop' : 'start';
}

/**
 * Whether the editor shows this service in a terminal of its own: a shell terminal (older hosts), or
 * the pseudo-terminal the host feeds for each process it spawns (runner "process"). A compose
 * service runs in its container, with no terminal of ours.
 */
export function hasTerminal(s: Pick<ServiceView, 'runner' | 'container' | 'instances'>): boolean {
  // A multi-instance service's front is the host's own listener: its instances have the terminals.
  return s.runner === 'process' && !s.container && !s.instances;
}

function hostLine(state: DashboardState, now: number): HTMLElement {
  const snap = state.snapshot;
  const connected = state.connection === 'connected';
  const status = connected ? t('hostRunning') : state.connection === 'connecting' ? t('hostConnecting') : t('hostUnreachable');
  const line = h('p', { class: `host-line host-${state.connection}` },
    icon(connected ? 'server-process' : state.connection === 'connecting' ? 'loading' : 'debug-disconnect', state.connection === 'connecting' ? 'codicon-modifier-spin' : ''),
    h('span', { class: 'host-status' }, status));
  if (snap) {
    line.append(
      sep(), h('span', {}, t('hostPort', snap.host.port)),
      sep(), h('span', {}, t('hostPid', snap.host.pid)),
      sep(), h('span', {}, t('hostUp'), h('span', { 'data-uptime': '' }, formatDuration(hostUptimeMs(state, now)))),
      sep(), h('span', { class: 'feed-connections', title: t('feedTitle') },
        snap.host.connections === 1 ? t('feedConnectionOne') : t('feedConnections', snap.host.connections)),
      sep(), h('span', {}, `v${snap.host.version}`));
    if (!snap.host.trusted) line.append(sep(), h('span', { class: 'warn-text' }, t('untrusted')));
  }
  return line;
}

function sep(): HTMLElement {
  return h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ');
}

function noticesContent(state: DashboardState, options: ViewOptions): Node[] {
  const nodes: Node[] = [];
  if (state.connection === 'disconnected') {
    nodes.push(notice('error', 'debug-disconnect',
      state.connectionMessage || t('hostUnreachableNotice'), options.disconnectedHint,
      state.snapshot ? t('lastStateNotice') : ''));
  } else if (state.connection === 'connecting' && !state.snapshot) {
    nodes.push(notice('info', 'loading', state.connectionMessage || t('connectingNotice')));
  }
  if (state.notice) nodes.push(notice(state.notice.tone, state.notice.tone === 'error' ? 'error' : 'info', state.notice.text));
  if (options.readOnlyNote) nodes.push(notice('info', 'lock', options.readOnlyNote));
  const origin = state.snapshot && configOriginNotice(state.snapshot, options.mode, state.connection === 'connected');
  if (origin) nodes.push(origin);
  const errors = state.snapshot?.configErrors ?? [];
  if (errors.length > 0) {
    const list = h('ul', { class: 'config-errors' });
    for (const e of errors) list.appendChild(h('li', {}, h('code', {}, `manito.json:${e.line}:${e.column}`), ` ${e.message}`));
    const box = notice('warn', 'warning', `${brokenConfigNote(errors.length, state.snapshot!.configSource)}.`);
    box.appendChild(list);
    nodes.push(box);
  }
  return nodes;
}

function notice(tone: 'info' | 'warn' | 'error', iconName: string, ...lines: string[]): HTMLElement {
  const body = h('div', { class: 'notice-body' });
  for (const line of lines) if (line) body.appendChild(h('p', {}, line));
  return h('div', { class: `notice notice-${tone}` }, icon(iconName, iconName === 'loading' ? 'codicon-modifier-spin' : ''), body);
}

function servicesContent(state: DashboardState, options: ViewOptions): Node {
  const snap = state.snapshot;
  if (!snap) {
    return h('p', { class: 'empty' }, state.connection === 'disconnected'
      ? t('noServicesUntilHost')
      : t('waitingForState'));
  }
  if (snap.services.length === 0) {
    return h('p', { class: 'empty' }, t('noServicesConfigured'),
      options.mode === 'vscode' ? t('noServicesVsCodeHint') : '.');
  }
  const table = h('table', { class: 'services-table' },
    h('caption', { class: 'visually-hidden' }, t('tableCaption')),
    h('thead', {}, h('tr', {},
      ...(['colService', 'colPort', 'colHealth', 'colProbe', 'colHistory', 'colUrl', 'colActions'] as const).map((key) => h('th', { scope: 'col' }, t(key))))));
  const body = h('tbody');
  for (const s of snap.services) {
    body.appendChild(serviceRow(state, s, snap, options));
    const note = serviceNote(s);
    if (note) body.appendChild(note);
  }
  table.appendChild(body);
  return h('div', { class: 'table-scroll' }, table);
}

/**
 * Why a service is not where it wanted to be (a move, a fallback, an adoption) or why it has no
 * port: a full-width line under its row, so a long sentence does not squeeze the table.
 */
function serviceNote(s: ServiceView): HTMLElement | null {
  const explain = s.reason === 'moved' || s.reason === 'fallback' || s.reason === 'detected_running' || s.moveBack !== undefined;
  if (!s.error && !(explain && s.explanation)) return null;
  const text = s.error
    ? h('span', { class: 'error-text' }, icon('error'), ' ', s.error)
    : h('span', { class: 'explanation' }, icon('info'), ' ', s.explanation);
  return h('tr', { class: `service-note health-${s.health}`, 'data-note-for': s.name },
    h('td', { colspan: 7 }, text));
}

function serviceRow(state: DashboardState, s: ServiceView, snap: StackSnapshot, options: ViewOptions): HTMLElement {
  const nameCell = h('th', { scope: 'row', class: 'cell-name' },
    h('div', { class: 'name' }, h('span', { class: 'service-name' }, s.name), h('span', { class: 'kind' }, s.kind)));
  if (s.description) nameCell.appendChild(h('div', { class: 'muted small' }, s.description));
  const portCell = h('td', { class: 'cell-port' },
    h('span', { class: 'port' }, s.port === null ? '—' : String(s.port)),
    h('span', { class: `chip reason reason-${s.reason ?? 'none'}`, title: s.explanation || reasonLabel(s.reason) }, reasonLabel(s.reason)));

  const healthCell = h('td', { class: `cell-health health-${s.health}` },
    h('span', { class: 'health-state' }, icon(healthIcon(s.health), s.health === 'starting' ? 'codicon-modifier-spin' : ''), ' ', healthLabel(s.health)),
    h('span', { class: 'muted small since' }, t('forDuration'), h('span', { 'data-since': s.healthSince }, formatDuration(elapsedSince(s.healthSince, Date.now())))),
    s.waitingForStart ? h('span', { class: 'muted small', title: t('waitingForStartTitle') }, t('waitingForStart')) : null,
    s.instances ? h('span', { class: 'muted small instances' }, t('instancesLine', s.instances.total, s.instances.healthy)) : null);

  const probeCell = h('td', { class: 'cell-probe' },
    h('span', { class: 'latency' }, formatLatency(s.latencyMs)));
  if (s.lastCheck) {
    probeCell.appendChild(h('span', { class: 'muted small' }, h('span', { 'data-since': s.lastCheck }, formatDuration(elapsedSince(s.lastCheck, Date.now()))), t('ago')));
  } else {
    probeCell.appendChild(h('span', { class: 'muted small' }, t('notProbed')));
  }

  const actions = h('div', { class: 'row-actions', role: 'group', 'aria-label': t('actionsFor', s.name) });
  const running = s.runner === 'process';
  const live = state.connection === 'connected';
  if (options.canControl && s.hasCommand) {
    if (!running) actions.appendChild(actionButton(state, s.name, 'start', t('startService', s.name), 'play', t('startService', s.name), live && snap.host.trusted));
    if (running) actions.appendChild(actionButton(state, s.name, 'restart', t('restartService', s.name), 'debug-restart', t('restartService', s.name), live && snap.host.trusted));
    if (running) actions.appendChild(actionButton(state, s.name, 'stop', t('stopService', s.name), 'debug-stop', t('stopService', s.name), live));
  }
  if (options.canControl && s.moveBack) {
    actions.appendChild(actionButton(state, s.name, 'move-back', t('moveBackTo', s.moveBack.port), 'history', t('moveBackTitle', s.moveBack.port, s.name), live, false));
  }
  // External (found running, not started by Manito): Stop asks before killing, naming pid and command.
  if (options.canControl && s.runner === 'detected') actions.appendChild(actionButton(state, s.name, 'stop', t('stopExternal', s.name), 'debug-stop', t('stopExternalTitle', s.name), live));
  if (isBrowsable(primaryUrl(s))) actions.appendChild(actionButton(state, s.name, 'openBrowser', t('openServiceInBrowser', s.name), 'globe', t('openUrl', primaryUrl(s) ?? ''), true));
  if (options.canShowTerminal && hasTerminal(s)) {
    actions.appendChild(actionButton(state, s.name, 'showTerminal', t('showTerminalOf', s.name), 'terminal', t('showTerminalTitle', s.name), true));
  }
  if (!actions.hasChildNodes()) actions.appendChild(h('span', { class: 'muted small' }, s.runner === 'detected' ? t('runningOutside') : '—'));

  // An instance's row sits under its service's, indented (server/instances).
  return h('tr', { class: `service-row health-${s.health}${s.instanceOf ? ' instance-row' : ''}`, 'data-service': s.name, 'data-health': s.health, 'data-port': s.port ?? '' },
    nameCell, portCell, healthCell, probeCell,
    h('td', { class: 'cell-history' }, historyStrip(s.history, expectedDownAtFor(s.name, state.events, s.health))),
    urlCell(s), h('td', { class: 'cell-actions' }, actions));
}

function actionButton(state: DashboardState, target: string, action: DashboardAction, label: string, iconName: string, title: string, enabled: boolean, iconOnly = true): HTMLButtonElement {
  const busy = state.pending.includes(pendingKey(target, action));
  const button = h('button', {
    type: 'button',
    class: iconOnly ? 'icon-button' : 'text-button',
    'data-action': action,
    'data-target': target,
    'data-focus-key': `${target}:${action}`,
    'aria-label': label,
    'aria-busy': busy ? 'true' : null,
    title: enabled ? title : t('unavailable', title),
    disabled: !enabled || busy,
  }, icon(busy ? 'loading' : iconName, busy ? 'codicon-modifier-spin' : ''));
  if (!iconOnly) button.appendChild(h('span', {}, label));
  return button;
}
