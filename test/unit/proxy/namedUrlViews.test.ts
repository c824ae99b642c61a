import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portsBody } from '../../../server/http/apiBodies';
import { launchUrls, namedUrlMap, withNamedUrls } from '../../../server/proxy/namedUrlViews';
import type { ServiceView, StackSnapshot } from '../../../protocol/model';

function view(name: string, kind: ServiceView['kind'], port: number | null): ServiceView {
  const url = port === null ? null : `${kind === 'websocket' ? 'ws' : kind === 'postgres' ? 'postgres' : 'http'}://localhost:${port}`;
  return {
    name, kind, port, url, reason: port === null ? null : 'preferred', explanation: '', health: 'stopped', healthSince: new Date(0).toISOString(),
    lastCheck: null, latencyMs: null, history: [], runner: null, pid: null, hasCommand: false, dependsOn: [],
  };
}

const views = [view('api', 'http', 3001), view('feed', 'websocket', 3001), view('db', 'postgres', 5432), view('late', 'http', null)];
const named = { api: 'http://api.shop.localhost:14730', feed: 'http://feed.shop.localhost:14730', late: 'http://late.shop.localhost:14730' };

test('withNamedUrls: web services get their name in the scheme they speak; no port, no name; nothing routed, the same views', () => {
  const out = withNamedUrls(views, named);
  assert.equal(out[0]!.namedUrl, 'http://api.shop.localhost:14730');
  assert.equal(out[1]!.namedUrl, 'ws://feed.shop.localhost:14730');
  assert.equal(out[2]!.namedUrl, undefined);
  assert.equal(out[3]!.namedUrl, undefined, 'a service without a port has nothing behind its name');
  assert.equal(out[0]!.url, 'http://localhost:3001', 'the port URL stays');
  assert.equal(withNamedUrls(views, {}), views);
  assert.equal(withNamedUrls(views, { constructor: 'http://x.localhost' } as Record<string, string>)[0]!.namedUrl, undefined);
});

test('namedUrlMap: no proxy or no answer is an empty map', () => {
  assert.deepEqual(namedUrlMap(undefined, '/ws'), {});
  assert.deepEqual(namedUrlMap({ namedUrls: () => undefined }, '/ws'), {});
  assert.deepEqual(namedUrlMap({ namedUrls: () => ({ services: { api: 'http://a' } }) }, '/ws'), { api: 'http://a' });
});

test('launchUrls: the named URL first, the port URL otherwise, nothing for a service without a port', () => {
  assert.deepEqual([...launchUrls(withNamedUrls(views, named))], [
    ['api', 'http://api.shop.localhost:14730'], ['feed', 'ws://feed.shop.localhost:14730'], ['db', 'postgres://localhost:5432'],
  ]);
});

test('portsBody: the seed\'s data unchanged, namedUrls added beside it only when there are any', () => {
  const snapshot = { environment: 'development', services: withNamedUrls(views, named) } as unknown as StackSnapshot;
  const body = portsBody(snapshot);
  assert.deepEqual(Object.keys(body), ['success', 'data', 'namedUrls']);
  assert.deepEqual(body.data, {
    api: 3001, feed: 3001, db: 5432, environment: 'development',
    urls: { api: 'http://localhost:3001', feed: 'ws://localhost:3001', db: 'postgres://localhost:5432' },
  });
  assert.deepEqual(body.namedUrls, { api: 'http://api.shop.localhost:14730', feed: 'ws://feed.shop.localhost:14730' });
  assert.deepEqual(Object.keys(portsBody({ ...snapshot, services: views })), ['success', 'data']);
});
