import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isContestEvent, type UsageReport } from '../../protocol/usage';
import { initialState, isToWebview, reduce } from '../../webview/dashboardState';
import { holderText } from '../../webview/usageView';

const report: UsageReport = {
  workspace: '/ws',
  ports: [{ port: 3000, count: 2, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-02T00:00:00Z', services: [{ service: 'api', count: 2 }], causes: { fallback: 2 }, holders: [] }],
};

test('a usage message replaces the usage record; other messages keep it', () => {
  const state = reduce(initialState(), { type: 'usage', usage: report }, 0);
  assert.equal(state.usage, report);
  assert.equal(reduce(state, { type: 'connection', state: 'disconnected', message: 'gone' }, 1).usage, report);
  assert.equal(initialState().usage, null);
});

test('only a usage message with a ports list is accepted from the wire', () => {
  assert.equal(isToWebview({ type: 'usage', usage: report }), true);
  assert.equal(isToWebview({ type: 'usage', usage: { workspace: '/ws' } }), false);
  assert.equal(isToWebview({ type: 'usage', usage: null }), false);
});

test('holders read as a person says them', () => {
  assert.equal(holderText({ kind: 'process', pid: 12, command: 'vite', count: 1, lastSeen: '' }), 'pid 12 (vite)');
  assert.equal(holderText({ kind: 'process', count: 1, lastSeen: '' }), 'a process');
  assert.equal(holderText({ kind: 'service', service: 'web', count: 1, lastSeen: '' }), 'web (this stack)');
  assert.equal(holderText({ kind: 'workspace', service: 'api', workspace: '/other', count: 1, lastSeen: '' }), 'api of /other');
  assert.equal(holderText({ kind: 'unknown', count: 1, lastSeen: '' }), 'unknown holder');
});

test('contest events: a fallback assignment, a move, no port at all; not a preferred assignment', () => {
  assert.equal(isContestEvent({ type: 'assigned', reason: 'fallback' }), true);
  assert.equal(isContestEvent({ type: 'assigned', reason: 'preferred' }), false);
  assert.equal(isContestEvent({ type: 'moved' }), true);
  assert.equal(isContestEvent({ type: 'allocationFailed' }), true);
  assert.equal(isContestEvent({ type: 'health' }), false);
});
