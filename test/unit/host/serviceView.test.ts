// What the health monitor is told about each service: an inheritor with no command of its own is
// served by its root's process, so it counts as launched (or found), or stopping, whenever that process is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StackConfig } from '../../../protocol/config';
import { monitoredService, type ServiceSources } from '../../../server/host/serviceView';

const stack: StackConfig = {
  services: {
    server: { preferred: [3000], command: 'node server.js' },
    websocket: { inheritFrom: 'server' },
    events: { inheritFrom: 'websocket' },
    sidecar: { inheritFrom: 'server', command: 'node sidecar.js' },
  },
};

function sources(running: Record<string, 'process'>, detected: string[] = [], stopping: string[] = []): ServiceSources {
  return {
    engine: undefined,
    health: { state: () => undefined },
    runner: { runnerOf: (s) => running[s] ?? null, pidOf: () => null, isStopping: (s) => stopping.includes(s) },
    detected: new Map(detected.map((s) => [s, {} as never])),
  };
}

test('an inheritor without a command is launched, and found, with its root; one with a command only by itself', () => {
  const launched = (name: string, s: ServiceSources) => monitoredService(name, stack, s).launched;
  const found = (name: string, s: ServiceSources) => monitoredService(name, stack, s).detected;
  const serverRuns = sources({ server: 'process' });
  assert.deepEqual(['server', 'websocket', 'events', 'sidecar'].map((n) => launched(n, serverRuns)), [true, true, true, false]);
  const nothingRuns = sources({});
  assert.deepEqual(['server', 'websocket', 'events', 'sidecar'].map((n) => launched(n, nothingRuns)), [false, false, false, false]);
  assert.equal(launched('sidecar', sources({ sidecar: 'process' })), true);
  const serverFound = sources({}, ['server']);
  assert.deepEqual(['server', 'websocket', 'events', 'sidecar'].map((n) => found(n, serverFound)), [true, true, true, false]);
});

test('a service being stopped on purpose is no longer expected to answer, nor what it serves', () => {
  const s = sources({ server: 'process', sidecar: 'process' }, [], ['server']);
  assert.deepEqual(['server', 'websocket', 'events', 'sidecar'].map((n) => monitoredService(n, stack, s).stopping), [true, true, true, false]);
});
