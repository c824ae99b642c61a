// A service's URL cell: the named URL through the user's proxy first (it survives port moves), the
// port's own URL under it. A web URL is a link the click handler in main.ts routes through the host.
import { primaryUrl, type ServiceView } from '../protocol/model';
import { h } from './dom';
import { isBrowsable } from './format';

export function urlCell(s: ServiceView): HTMLElement {
  const cell = h('td', { class: 'cell-url' });
  const first = primaryUrl(s);
  if (isBrowsable(first)) {
    cell.appendChild(h('a', { href: first, target: '_blank', rel: 'noopener noreferrer', 'data-service': s.name, 'data-focus-key': `${s.name}:link`, class: s.namedUrl ? 'named-url' : '' }, first));
  } else if (first) {
    cell.appendChild(h('code', {}, first));
  } else {
    cell.appendChild(h('span', { class: 'muted' }, '—'));
  }
  if (s.namedUrl && s.url) cell.appendChild(h('div', { class: 'muted small port-url', title: 'The port\'s own URL: it changes when the port moves' }, s.url));
  return cell;
}
