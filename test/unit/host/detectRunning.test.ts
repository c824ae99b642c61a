// The seed's detection log lines, as the host prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectedLine } from '../../../server/detect/detectRunning';

test('detection log lines follow the seed and do not repeat a kind that is also the service name', () => {
  assert.equal(detectedLine('Vite', 'client', 5173), '✅ Detected Vite client server on port 5173');
  assert.equal(detectedLine('Redis', 'redis', 6379), '✅ Detected Redis server on port 6379');
});
