import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventBody, ManitoEvent, ServiceView, StackSnapshot } from '../../protocol/model';
import { MAX_EVENTS, hostUptimeMs, initialState, isToWebview, markPending, mergeEvents, persistable, reduce } from '../../webview/dashboardState';

const T0 = Date.parse('2025-08-18T15:00:00.000Z');

function service(name: string, over: Partial<ServiceView> = {}): ServiceView {
  return {
    name, kind: 'http', port: 3000, reason: 'preferred', explanation: '', url: 'http://localhost:3000', health: 'stopped',
    healthSince: new Date(T0).toISOString(), lastCheck: null, latencyMs: null, history: [], runner: null, pid: null,
    hasCommand: true, dependsOn: [], ...over,
  };
}

function snapshot(services: ServiceView[], uptimeSec = 10): StackSnapshot {
  return {
    workspace: '/ws', configSource: 'file', configOrigin: { label: 'manito.json', files: [] }, configPath: '/ws/manito.json', environment: 'development', strategy: 'minimal',
    host: { pid: 1, port: 41730, url: 'http://127.0.0.1:41730', version: '0.1.0', startedAt: new Date(T0).toISOString(), uptimeSec, connections: 1, trusted: true },
    services, configErrors: [],
  };
}

function event(id: number, body: Extract<EventBody, { type: 'health' }>, at = T0 + id * 1000): ManitoEvent {
  return { ...body, id, time: new Date(at).toISOString() };
}

test('hello replaces the snapshot and the events, newest first, and marks the host connected', () => {
  let state = initialState();
  assert.equal(state.connection, 'connecting');
  const events = [1, 2, 3].map((id) => event(id, { type: 'health', service: 'a', from: 'stopped', to: 'starting' }));
  state = reduce(state, { type: 'hello', snapshot: snapshot([service('a')]), events }, T0);
  assert.equal(state.connection, 'connected');
  assert.deepEqual(state.events.map((e) => e.id), [3, 2, 1]);
  assert.equal(state.snapshot?.services[0]!.name, 'a');
  // A second hello (after a reconnect) is the whole truth: old events do not linger.
  state = reduce(state, { type: 'hello', snapshot: snapshot([]), events: [events[2]!] }, T0);
  assert.deepEqual(state.events.map((e) => e.id), [3]);
});

test('an event is prepended once, and a health transition shows before the next snapshot', () => {
  let state = reduce(initialState(), { type: 'hello', snapshot: snapshot([service('a'), service('b')]), events: [] }, T0);
  const e = event(7, { type: 'health', service: 'a', from: 'stopped', to: 'healthy' });
  state = reduce(state, { type: 'event', event: e }, T0 + 7000);
  state = reduce(state, { type: 'event', event: e }, T0 + 7000);
  assert.deepEqual(state.events.map((x) => x.id), [7]);
  const a = state.snapshot!.services.find((s) => s.name === 'a')!;
  assert.equal(a.health, 'healthy');
  assert.equal(a.healthSince, e.time);
  assert.equal(state.snapshot!.services.find((s) => s.name === 'b')!.health, 'stopped');
});

test('a snapshot replaces the services; the events stay', () => {
  let state = reduce(initialState(), { type: 'hello', snapshot: snapshot([service('a')]), events: [event(1, { type: 'health', service: 'a', from: 'stopped', to: 'starting' })] }, T0);
  state = reduce(state, { type: 'snapshot', snapshot: snapshot([service('a', { port: 3001, reason: 'moved' })]) }, T0 + 5000);
  assert.equal(state.snapshot!.services[0]!.port, 3001);
  assert.equal(state.events.length, 1);
  assert.equal(state.receivedAt, T0 + 5000);
});

test('the event list is capped, newest kept', () => {
  const many = Array.from({ length: MAX_EVENTS + 50 }, (_, i) => event(i + 1, { type: 'health', service: 'a', from: 'stopped', to: 'starting' }));
  const merged = mergeEvents([], many);
  assert.equal(merged.length, MAX_EVENTS);
  assert.equal(merged[0]!.id, MAX_EVENTS + 50);
});

test('connection changes and action results; pending actions clear on their answer', () => {
  let state = reduce(initialState(), { type: 'connection', state: 'disconnected', message: 'host stopped' }, T0);
  assert.equal(state.connection, 'disconnected');
  assert.equal(state.connectionMessage, 'host stopped');
  state = markPending(state, 'server', 'restart');
  assert.deepEqual(state.pending, ['server:restart']);
  state = reduce(state, { type: 'actionResult', target: 'server', action: 'restart', ok: false, message: 'no command' }, T0);
  assert.deepEqual(state.pending, []);
  assert.deepEqual(state.notice, { tone: 'error', text: 'no command' });
});

test('host uptime ticks from the snapshot while connected, and stops when not', () => {
  let state = reduce(initialState(), { type: 'hello', snapshot: snapshot([], 100), events: [] }, T0);
  assert.equal(hostUptimeMs(state, T0 + 5000), 105_000);
  state = reduce(state, { type: 'connection', state: 'disconnected', message: '' }, T0 + 6000);
  assert.equal(hostUptimeMs(state, T0 + 60_000), 100_000);
});

test('persisted state restores what was seen, but not as connected', () => {
  const state = reduce(initialState(), { type: 'hello', snapshot: snapshot([service('a')]), events: [] }, T0);
  const restored = initialState(JSON.parse(JSON.stringify(persistable(state))));
  assert.equal(restored.snapshot?.services[0]!.name, 'a');
  assert.equal(restored.connection, 'connecting');
});

test('only known message shapes are accepted from the wire', () => {
  assert.equal(isToWebview({ type: 'hello', snapshot: snapshot([]), events: [] }), true);
  assert.equal(isToWebview({ type: 'snapshot', snapshot: snapshot([]) }), true);
  assert.equal(isToWebview({ type: 'hello', snapshot: {}, events: [] }), false);
  assert.equal(isToWebview({ type: 'event', event: { type: 'health' } }), false);
  assert.equal(isToWebview({ type: 'nope' }), false);
  assert.equal(isToWebview('hello'), false);
  assert.equal(isToWebview(null), false);
});
