// The "Port usage" view: which ports this workspace's services found taken, by whom and how often,
// from the host's bounded record that survives restarts (protocol/usage.ts). Most contested first.
import type { PortUsage, UsageHolder, UsageReport } from '../protocol/usage';
import { h } from './dom';
import { formatClock } from './format';
import { t } from './strings';

/** Rows shown; the record itself is bounded by the host. */
const SHOWN_PORTS = 20;

const CAUSE_LABEL: Record<string, () => string> = {
  fallback: () => t('usageCauseFallback'), moved: () => t('usageCauseMoved'), failed: () => t('usageCauseFailed'),
};

export function usageView(usage: UsageReport | null): HTMLElement {
  if (!usage) return h('p', { class: 'empty' }, t('usageWaiting'));
  if (usage.ports.length === 0) {
    return h('p', { class: 'empty' }, t('usageEmpty'));
  }
  const body = h('tbody', {});
  for (const port of usage.ports.slice(0, SHOWN_PORTS)) body.appendChild(portRow(port));
  return h('table', { class: 'usage', 'aria-label': t('usageTableLabel') },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('colPort')), h('th', { scope: 'col' }, t('usageColTimes')), h('th', { scope: 'col' }, t('usageColWantedBy')),
      h('th', { scope: 'col' }, t('usageColHeldBy')), h('th', { scope: 'col' }, t('usageColHow')), h('th', { scope: 'col' }, t('usageColLast')))),
    body);
}

function portRow(p: PortUsage): HTMLElement {
  const holders = h('ul', { class: 'holders' });
  for (const holder of p.holders.slice(0, 4)) holders.appendChild(h('li', {}, holderText(holder), h('span', { class: 'muted small' }, ` ×${holder.count}`)));
  if (p.holders.length > 4) holders.appendChild(h('li', { class: 'muted small' }, t('usageMoreHolders', p.holders.length - 4)));
  const causes = Object.entries(p.causes).filter(([, n]) => (n ?? 0) > 0).map(([cause, n]) => `${CAUSE_LABEL[cause]?.() ?? cause} ×${n}`).join(', ');
  return h('tr', { class: 'usage-row', 'data-port': p.port },
    h('th', { scope: 'row', class: 'port' }, String(p.port)),
    h('td', { class: 'count' }, String(p.count)),
    h('td', {}, p.services.map((s) => `${s.service}${s.count > 1 ? ` ×${s.count}` : ''}`).join(', ')),
    h('td', {}, holders),
    h('td', { class: 'muted small' }, causes || '—'),
    h('td', { class: 'muted small', title: t('usageFirstSeen', p.firstSeen) }, h('time', { datetime: p.lastSeen }, formatClock(p.lastSeen))));
}

/** "pid 1234 (vite)", "server of ~/other", "api (this stack)", "unknown". */
export function holderText(holder: UsageHolder): string {
  switch (holder.kind) {
    case 'service': return t('usageHolderService', holder.service ?? t('usageHolderAService'));
    case 'workspace': return t('usageHolderWorkspace', holder.service ?? t('usageHolderAService'), holder.workspace ?? t('usageHolderAnotherWorkspace'));
    case 'process': return [holder.pid ? t('usageHolderPid', holder.pid) : t('usageHolderAProcess'), holder.command ? `(${holder.command})` : ''].filter(Boolean).join(' ');
    default: return t('usageHolderUnknown');
  }
}
