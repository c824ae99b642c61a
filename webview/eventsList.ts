// The "Recent events" list: assignments, moves with their explanation, detections and health
// transitions, newest first.
import type { ManitoEvent } from '../protocol/model';
import { h, icon } from './dom';
import { eventIcon, eventText, formatClock } from './format';
import { t } from './strings';

/** Rows rendered; the state keeps more so a reload does not lose them. */
const SHOWN_EVENTS = 60;

export function eventsList(events: readonly ManitoEvent[]): HTMLElement {
  if (events.length === 0) {
    return h('p', { class: 'empty' },
      t('noEvents'));
  }
  const list = h('ol', { class: 'events', 'aria-label': t('eventsLabel') });
  for (const event of events.slice(0, SHOWN_EVENTS)) {
    const { icon: name, tone } = eventIcon(event);
    list.appendChild(h('li', { class: `event tone-${tone}`, 'data-event-id': event.id, 'data-event-type': event.type },
      h('time', { datetime: event.time, class: 'event-time' }, formatClock(event.time)),
      icon(name, 'event-icon'),
      h('span', { class: 'event-text' }, eventText(event))));
  }
  return list;
}
