// The dashboard's line on where the stack comes from when there is no manito.json: the files it
// was inferred from (or that nothing was found), and the one action that saves it as manito.json.
import { isSavable, SAVE_INFERRED_TITLE } from '../protocol/configOrigin';
import type { StackSnapshot } from '../protocol/model';
import { h, icon } from './dom';

export function configOriginNotice(snap: StackSnapshot, mode: 'vscode' | 'browser', live: boolean): HTMLElement | null {
  if (!isSavable(snap.configSource)) return null;
  const origin = snap.configOrigin;
  const what = snap.configSource === 'inferred'
    ? `No manito.json: these services are ${origin.label}.`
    : `No manito.json, and ${origin.label}${origin.detail ? ` (${origin.detail})` : ''}: showing the embedded default stack.`;
  const box = h('div', { class: 'notice notice-info config-origin', 'data-config-source': snap.configSource }, icon(snap.configSource === 'inferred' ? 'sparkle' : 'info'));
  const body = h('div', { class: 'notice-body' }, h('p', {}, what));
  if (mode === 'vscode') {
    body.appendChild(h('button', {
      type: 'button', class: 'text-button', 'data-action': 'saveConfig', 'data-target': 'stack', 'data-focus-key': 'stack:saveConfig',
      title: 'Write these services as manito.json, to edit and commit', disabled: !live,
    }, icon('save'), h('span', {}, SAVE_INFERRED_TITLE)));
  } else {
    body.appendChild(h('p', { class: 'muted' }, 'Run ', h('code', {}, 'manito scan --write'), ' in the folder to save them as manito.json.'));
  }
  box.appendChild(body);
  return box;
}
