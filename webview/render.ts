// Builds the dashboard from its state: header with host status, notices, the services table and
// the events list. Rebuilt on every message; `tick` only refreshes the clocks once a second.
import type { OverallHealth, ServiceView, StackSnapshot } from '../protocol/model';
import { brokenConfigNote, overallHealth } from '../protocol/model';
import type { DashboardAction } from '../protocol/webview';
import type { DashboardState } from './dashboardState';
import { hostUptimeMs, pendingKey } from './dashboardState';
import { h, icon, replaceChildrenKeepingFocus } from './dom';
import { eventsList } from './eventsList';
import { elapsedSince, formatDuration, formatLatency, healthIcon, healthLabel, healthSummary, isBrowsable, reasonLabel } from './format';
import { historyStrip, expectedDownAtFor } from './historyStrip';

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
}

/** The fixed skeleton; sections are refilled by `render`. */
export function mountDashboard(container: HTMLElement): DashboardRoot {
  const header = h('header', { class: 'masthead' });
  const notices = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });
  const services = h('section', { class: 'services', 'aria-labelledby': 'services-heading', tabindex: -1 });
  const events = h('section', { class: 'events-section', 'aria-labelledby': 'events-heading', tabindex: -1 });
  container.replaceChildren(header, notices, services, events);
  return { header, notices, services, events };
}

export function render(root: DashboardRoot, state: DashboardState, options: ViewOptions, now: number): void {
  replaceChildrenKeepingFocus(root.header, headerContent(state, options, now));
  replaceChildrenKeepingFocus(root.notices, noticesContent(state, options));
  replaceChildrenKeepingFocus(root.services, [
    h('h2', { id: 'services-heading' }, 'Services'),
    servicesContent(state, options),
  ]);
  replaceChildrenKeepingFocus(root.events, [
    h('h2', { id: 'events-heading' }, 'Recent events'),
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
      h('span', { class: 'muted' }, 'Workspace '), h('code', {}, snap.workspace),
      h('span', { class: 'muted' }, CONFIG_LABEL[snap.configSource]),
      h('span', { class: 'muted' }, ` · ${snap.environment} · ${snap.strategy} strategy`)));
  }
  nodes.push(hostLine(state, now));
  if (snap && options.canControl) {
    const anyCommand = snap.services.some((s) => s.hasCommand);
    if (anyCommand) {
      const live = state.connection === 'connected';
      nodes.push(h('div', { class: 'stack-actions', role: 'group', 'aria-label': 'Stack' },
        actionButton(state, 'stack', 'start', 'Start stack', 'run-all', 'Start every service that has a command', live && snap.host.trusted, false),
        actionButton(state, 'stack', 'stop', 'Stop stack', 'debug-stop', 'Stop every running service', live, false)));
    }
  }
  return nodes;
}

const CONFIG_LABEL: Record<StackSnapshot['configSource'], string> = {
  file: ' · manito.json',
  none: ' · manito.json (invalid: no service served)',
  default: ' · default stack (no manito.json)',
};

function hostLine(state: DashboardState, now: number): HTMLElement {
  const snap = state.snapshot;
  const connected = state.connection === 'connected';
  const status = connected ? 'running' : state.connection === 'connecting' ? 'connecting…' : 'not reachable';
  const line = h('p', { class: `host-line host-${state.connection}` },
    icon(connected ? 'server-process' : state.connection === 'connecting' ? 'loading' : 'debug-disconnect', state.connection === 'connecting' ? 'codicon-modifier-spin' : ''),
    h('span', { class: 'host-status' }, `Host ${status}`));
  if (snap) {
    line.append(
      sep(), h('span', {}, `port ${snap.host.port}`),
      sep(), h('span', {}, `pid ${snap.host.pid}`),
      sep(), h('span', {}, 'up ', h('span', { 'data-uptime': '' }, formatDuration(hostUptimeMs(state, now)))),
      sep(), h('span', { class: 'feed-connections', title: 'Open WebSocket feed connections (services.websocket)' },
        `WebSocket: ${snap.host.connections} connection${snap.host.connections === 1 ? '' : 's'}`),
      sep(), h('span', {}, `v${snap.host.version}`));
    if (!snap.host.trusted) line.append(sep(), h('span', { class: 'warn-text' }, 'untrusted workspace: commands do not run'));
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
      state.connectionMessage || 'The Manito host is not reachable.', options.disconnectedHint,
      state.snapshot ? 'What you see below is the last state received.' : ''));
  } else if (state.connection === 'connecting' && !state.snapshot) {
    nodes.push(notice('info', 'loading', state.connectionMessage || 'Connecting to the Manito host…'));
  }
  if (state.notice) nodes.push(notice(state.notice.tone, state.notice.tone === 'error' ? 'error' : 'info', state.notice.text));
  if (options.readOnlyNote) nodes.push(notice('info', 'lock', options.readOnlyNote));
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
      ? 'No services to show until the host is reachable.'
      : 'Waiting for the first state from the host…');
  }
  if (snap.services.length === 0) {
    return h('p', { class: 'empty' }, 'No services are configured. Add them under "services" in manito.json',
      options.mode === 'vscode' ? ' (run "Manito: Create Config" to start from the default stack).' : '.');
  }
  const table = h('table', { class: 'services-table' },
    h('caption', { class: 'visually-hidden' }, 'Services with their port, health and recent probes'),
    h('thead', {}, h('tr', {},
      ...['Service', 'Port', 'Health', 'Last probe', 'History', 'URL', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))));
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
  const explain = s.reason === 'moved' || s.reason === 'fallback' || s.reason === 'detected_running';
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
    h('span', { class: 'muted small since' }, 'for ', h('span', { 'data-since': s.healthSince }, formatDuration(elapsedSince(s.healthSince, Date.now())))));

  const probeCell = h('td', { class: 'cell-probe' },
    h('span', { class: 'latency' }, formatLatency(s.latencyMs)));
  if (s.lastCheck) {
    probeCell.appendChild(h('span', { class: 'muted small' }, h('span', { 'data-since': s.lastCheck }, formatDuration(elapsedSince(s.lastCheck, Date.now()))), ' ago'));
  } else {
    probeCell.appendChild(h('span', { class: 'muted small' }, 'not probed yet'));
  }

  const urlCell = h('td', { class: 'cell-url' });
  if (isBrowsable(s.url)) {
    urlCell.appendChild(h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', 'data-service': s.name, 'data-focus-key': `${s.name}:link` }, s.url));
  } else if (s.url) {
    urlCell.appendChild(h('code', {}, s.url));
  } else {
    urlCell.appendChild(h('span', { class: 'muted' }, '—'));
  }

  const actions = h('div', { class: 'row-actions', role: 'group', 'aria-label': `Actions for ${s.name}` });
  const running = s.runner === 'terminal' || s.runner === 'process';
  const live = state.connection === 'connected';
  if (options.canControl && s.hasCommand) {
    if (!running) actions.appendChild(actionButton(state, s.name, 'start', `Start ${s.name}`, 'play', `Start ${s.name}`, live && snap.host.trusted));
    if (running) actions.appendChild(actionButton(state, s.name, 'restart', `Restart ${s.name}`, 'debug-restart', `Restart ${s.name}`, live && snap.host.trusted));
    if (running) actions.appendChild(actionButton(state, s.name, 'stop', `Stop ${s.name}`, 'debug-stop', `Stop ${s.name}`, live));
  }
  // External (found running, not started by Manito): Stop asks before killing, naming pid and command.
  if (options.canControl && s.runner === 'detected') actions.appendChild(actionButton(state, s.name, 'stop', `Stop ${s.name} (external)`, 'debug-stop', `Stop ${s.name}: not started by Manito, asks first`, live));
  if (isBrowsable(s.url)) actions.appendChild(actionButton(state, s.name, 'openBrowser', `Open ${s.name} in browser`, 'globe', `Open ${s.url}`, true));
  if (options.canShowTerminal && s.runner === 'terminal') {
    actions.appendChild(actionButton(state, s.name, 'showTerminal', `Show terminal of ${s.name}`, 'terminal', `Show the "${s.name}" terminal`, true));
  }
  if (!actions.hasChildNodes()) actions.appendChild(h('span', { class: 'muted small' }, s.runner === 'detected' ? 'external: not started by Manito' : '—'));

  return h('tr', { class: `service-row health-${s.health}`, 'data-service': s.name, 'data-health': s.health, 'data-port': s.port ?? '' },
    nameCell, portCell, healthCell, probeCell,
    h('td', { class: 'cell-history' }, historyStrip(s.history, expectedDownAtFor(s.name, state.events, s.health))),
    urlCell, h('td', { class: 'cell-actions' }, actions));
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
    title: enabled ? title : `${title} (not available while the host is unreachable)`,
    disabled: !enabled || busy,
  }, icon(busy ? 'loading' : iconName, busy ? 'codicon-modifier-spin' : ''));
  if (!iconOnly) button.appendChild(h('span', {}, label));
  return button;
}
