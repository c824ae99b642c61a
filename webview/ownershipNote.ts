// The dashboard's few lines on what Manito owns: what it starts and stops, what it adopts, what
// "external" means, and which hosts it trusts. Static text, mounted once below the events.
import { h } from './dom';

const RULES: ReadonlyArray<[term: string, text: string]> = [
  ['Started by Manito', 'Start Stack, Start Service and manito up start a service; Manito records its process and stops it, also after a host restart, and when its owner (editor, manito up) ends.'],
  ['Adopted', 'A process already on a service\'s port counts as that service only if Manito started it, or it is yours, runs in this workspace and answers like the service. Anything else is foreign: the service moves, and the row says who holds the port.'],
  ['Free again', 'When the foreign holder exits, the row says its port is free again and offers Move back.'],
  ['External', 'Found running and adopted, not started by Manito: watched, and Stop asks before killing it.'],
  ['Discovery', 'The CLI and app helpers trust a host only through a discovery file in your own 0700 state folder whose host proves it holds the file\'s token; other servers on the host ports are ignored.'],
  ['Command checks', 'A health check that runs a command runs only for a service you started.'],
];

export function ownershipNote(): HTMLElement {
  return h('details', { class: 'ownership', 'data-section': 'ownership' },
    h('summary', {}, 'What Manito owns'),
    h('dl', {}, ...RULES.flatMap(([term, text]) => [h('dt', {}, term), h('dd', {}, text)])));
}
