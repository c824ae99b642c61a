// The dashboard's few lines on what Manito owns: what it starts and stops, what it adopts, what
// "external" means, and which hosts it trusts. Static text, mounted once below the events.
import type { DashboardStringKey } from '../protocol/dashboardStrings';
import { h } from './dom';
import { t } from './strings';

const RULES: ReadonlyArray<[term: DashboardStringKey, text: DashboardStringKey]> = [
  ['ownsStartedTerm', 'ownsStarted'],
  ['ownsAdoptedTerm', 'ownsAdopted'],
  ['ownsFreeTerm', 'ownsFree'],
  ['ownsExternalTerm', 'ownsExternal'],
  ['ownsDiscoveryTerm', 'ownsDiscovery'],
  ['ownsChecksTerm', 'ownsChecks'],
];

export function ownershipNote(): HTMLElement {
  return h('details', { class: 'ownership', 'data-section': 'ownership' },
    h('summary', {}, t('ownsHeading')),
    h('dl', {}, ...RULES.flatMap(([term, text]) => [h('dt', {}, t(term)), h('dd', {}, t(text))])));
}
