// The dashboard's words and its primary stack button, without a DOM: the table the extension
// sends replaces the English one key by key, Stop leads once every startable service runs,
// and Show terminal appears where the editor has one.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { eventText, healthLabel, healthSummary } from '../../webview/format';
import { hasTerminal, stackPrimary } from '../../webview/render';
import { setStrings, t } from '../../webview/strings';

afterEach(() => setStrings({}));

test('English until a table arrives; a table replaces only the keys it carries', () => {
  assert.equal(t('colPort'), 'Port');
  setStrings({ colPort: 'Pöŕţ', healthStopped: 'Ştöṗṗéð', allStopped: 'Àll ştöṗṗéð', eventStopped: '{0} ştöṗṗéð', bogus: 'x' });
  assert.equal(t('colPort'), 'Pöŕţ');
  assert.equal(t('colHealth'), 'Health');
  assert.equal(healthLabel('stopped'), 'Ştöṗṗéð');
  assert.equal(healthSummary([{ health: 'stopped', error: undefined }]), 'Àll ştöṗṗéð');
  assert.equal(eventText({ type: 'stopped', service: 'web' } as Parameters<typeof eventText>[0]), 'web ştöṗṗéð');
  setStrings('not a table');
  assert.equal(t('colPort'), 'Port', 'a bad table leaves English');
});

test('the primary stack button is Stop only when every service with a command runs', () => {
  const svc = (hasCommand: boolean, runner: 'process' | 'detected' | null) => ({ hasCommand, runner });
  assert.equal(stackPrimary([svc(true, 'process'), svc(true, 'process'), svc(false, null)]), 'stop');
  assert.equal(stackPrimary([svc(true, 'process'), svc(true, null)]), 'start');
  assert.equal(stackPrimary([svc(true, 'detected')]), 'start', 'a service found running was not started by Manito');
  assert.equal(stackPrimary([svc(false, null)]), 'start');
  assert.equal(stackPrimary([]), 'start');
});

test('Show terminal is offered for every service the editor shows in a terminal, not for containers or services found running', () => {
  assert.equal(hasTerminal({ runner: 'process' }), true, 'the host spawns it and feeds its pseudo-terminal');
  assert.equal(hasTerminal({ runner: 'process', container: 'shop-db-1' }), false);
  assert.equal(hasTerminal({ runner: 'detected' }), false);
  assert.equal(hasTerminal({ runner: null }), false);
});
