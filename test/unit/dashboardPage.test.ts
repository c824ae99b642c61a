import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DASHBOARD_ASSETS, dashboardCsp, dashboardHeaders, dashboardNonce, renderDashboardPage } from '../../server/http/dashboardPage';
import { feedSocketUrl } from '../../webview/transport';

test('the page carries one nonce\'d script, the CSP in a meta tag, and escapes what it embeds', () => {
  const nonce = dashboardNonce();
  const html = renderDashboardPage({ nonce, ...DASHBOARD_ASSETS, feedUrl: '/', token: 'a"b<c>' });
  assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}" src="/webview/dashboard.js"></script>`));
  assert.equal(html.match(/<script/g)!.length, 1);
  assert.match(html, /http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
  assert.match(html, /data-token="a&quot;b&lt;c&gt;"/);
  assert.doesNotMatch(html, /a"b<c>/);
  assert.doesNotMatch(html, /frame-ancestors/, 'ignored in a meta tag');
});

test('without a token the page has no token attribute (read-only)', () => {
  const html = renderDashboardPage({ nonce: 'n', ...DASHBOARD_ASSETS, feedUrl: '/' });
  assert.doesNotMatch(html, /data-token/);
  assert.match(html, /data-feed-url="\/"/);
});

test('the CSP header allows only the host itself, the nonce, and the feed', () => {
  const csp = dashboardCsp('abc', 'ws://127.0.0.1:41730/');
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'nonce-abc'/);
  assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:41730/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe/);
  assert.equal(dashboardHeaders('abc')['Content-Security-Policy'], dashboardCsp('abc'));
  assert.notEqual(dashboardNonce(), dashboardNonce());
  assert.ok(Buffer.from(dashboardNonce(), 'base64').length >= 16);
});

test('a relative feed URL becomes a ws URL on the page\'s own host', () => {
  assert.equal(feedSocketUrl('/', 'http://127.0.0.1:41730/dashboard?x=1'), 'ws://127.0.0.1:41730/');
  assert.equal(feedSocketUrl('/', 'https://localhost:41730/'), 'wss://localhost:41730/');
  assert.equal(feedSocketUrl('ws://[::1]:41731/', 'http://localhost:1/'), 'ws://[::1]:41731/');
});
