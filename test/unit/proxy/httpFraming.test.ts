// The proxy's head reader and body framer, fed the way sockets deliver bytes: every message split
// at every byte offset must read the same as in one piece, and the next message must start exactly
// where the framer says this one ended. Garbage, oversize and smuggling shapes are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFramer, requestFraming, responseFraming, type Framing } from '../../../server/proxy/bodyFraming';
import { readHead, requestHead, responseHead, wantsClose, type HeadLimits } from '../../../server/proxy/httpHead';
import { upstreamHead } from '../../../server/proxy/upstreamHead';

const LIMITS: HeadLimits = { maxSize: 16 * 1024, maxCount: 200 };
const fields = (...headers: string[]) => ({ headers, names: headers.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()) });

/** Reads a head the way the proxy does: bytes arrive in pieces, each time the whole buffer so far is read again. */
function readSplit(bytes: Buffer, at: number): ReturnType<typeof readHead> {
  const first = readHead(bytes.subarray(0, at), LIMITS);
  if (first.kind !== 'partial') return first;
  return readHead(bytes, LIMITS);
}

test('a request head reads the same split at every byte offset, and ends where its blank line ends', () => {
  const head = 'POST /a/b?c=d HTTP/1.1\r\nHost: api.shop.localhost:14730\r\nX-Empty:\r\nX-Spaced: \t v a l \t\r\nContent-Length: 3\r\n\r\n';
  const bytes = Buffer.from(`${head}abcGET / HTTP/1.1\r\n`, 'latin1');
  const whole = readHead(bytes, LIMITS);
  assert.equal(whole.kind, 'head');
  if (whole.kind !== 'head') return;
  assert.equal(whole.end, head.length);
  assert.deepEqual(requestHead(whole), {
    method: 'POST', target: '/a/b?c=d', version: '1.1',
    headers: ['Host', 'api.shop.localhost:14730', 'X-Empty', '', 'X-Spaced', 'v a l', 'Content-Length', '3'], names: ['host', 'x-empty', 'x-spaced', 'content-length'],
  });
  for (let at = 0; at <= head.length; at++) {
    const partial = readHead(bytes.subarray(0, at), LIMITS);
    if (at < head.length) assert.equal(partial.kind, 'partial', `cut at ${at}`);
    assert.deepEqual(readSplit(bytes, at), whole, `split at ${at}`);
  }
});

test('empty lines before a request line are skipped; a response head reads its status', () => {
  const r = readHead(Buffer.from('\r\n\r\nGET / HTTP/1.0\r\nHost: x\r\n\r\n'), LIMITS);
  assert.equal(r.kind === 'head' && requestHead(r)?.version, '1.0');
  const s = readHead(Buffer.from('HTTP/1.1 204 No Content\r\nX: y\r\n\r\n'), LIMITS);
  assert.equal(s.kind === 'head' && responseHead(s)?.status, 204);
  const bare = readHead(Buffer.from('HTTP/1.1 200\r\n\r\n'), LIMITS);
  assert.equal(bare.kind === 'head' && responseHead(bare)?.status, 200, 'a status line may have no reason');
});

test('garbage, smuggling shapes and oversize heads are refused with 400 or 431, never thrown', () => {
  const refused = (text: string | Buffer, status: number, what: string) => {
    const r = readHead(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'), LIMITS);
    const got = r.kind === 'error' ? r.status : r.kind === 'head' && !requestHead(r) ? 400 : r.kind;
    assert.equal(got, status, what);
  };
  refused('NOT HTTP AT ALL\r\n\r\n', 400, 'no request line');
  refused(Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), 400, 'binary');
  refused('GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400, 'space before the colon');
  refused('GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n', 400, 'obs-fold');
  refused('GET / HTTP/1.1\r\nHost: x\nX-Smuggled: y\r\n\r\n', 400, 'bare LF');
  refused('GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', 400, 'NUL in a value');
  refused('GET  / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'double space');
  refused('GET / HTTP/2.0\r\nHost: x\r\n\r\n', 400, 'not HTTP/1.x');
  refused(`GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'too large with its end');
  refused(`GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}`, 431, 'too large before its end arrives');
  refused(`GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(201)}\r\n`, 431, 'too many fields');
  assert.equal(readHead(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n'), LIMITS).kind, 'partial');
});

test('request framing: Content-Length, chunked, none; CL with TE, bad lengths and a non-final chunked are refused', () => {
  const f = (...headers: string[]) => requestFraming(fields(...headers));
  assert.deepEqual(f(), { kind: 'none' });
  assert.deepEqual(f('Content-Length', '0'), { kind: 'none' });
  assert.deepEqual(f('content-length', '12'), { kind: 'length', length: 12 });
  assert.deepEqual(f('Content-Length', '5, 5'), { kind: 'length', length: 5 });
  assert.deepEqual(f('Transfer-Encoding', 'gzip, Chunked'), { kind: 'chunked' });
  for (const bad of [['Content-Length', '5', 'Transfer-Encoding', 'chunked'], ['Content-Length', '5', 'Content-Length', '6'], ['Content-Length', '-1'],
    ['Content-Length', '1e3'], ['Content-Length', ''], ['Transfer-Encoding', 'chunked, gzip'], ['Transfer-Encoding', 'chunked, chunked'], ['Content-Length', '9'.repeat(20)]]) {
    assert.ok('error' in f(...bad), bad.join(': '));
  }
  assert.deepEqual(responseFraming(200, 'HEAD', fields('Content-Length', '10')), { kind: 'none' });
  assert.deepEqual(responseFraming(304, 'GET', fields('Content-Length', '10')), { kind: 'none' });
  assert.deepEqual(responseFraming(200, 'GET', fields()), { kind: 'close' });
  assert.deepEqual(responseFraming(200, 'GET', fields('Transfer-Encoding', 'chunked', 'Content-Length', '3')), { kind: 'chunked' });
  assert.equal(responseFraming(200, 'GET', fields('Content-Length', 'x')), undefined);
});

/** Feeds `bytes` to a framer in two pieces cut at `at`; returns where the body ended in the whole, or the error. */
function frameSplit(framing: Framing, bytes: Buffer, at: number): number | string {
  const framer = new BodyFramer(framing);
  const a = bytes.subarray(0, at);
  const endA = framer.advance(a, 0);
  if (framer.error) return framer.error;
  if (framer.done) return endA;
  const b = bytes.subarray(at);
  const endB = framer.advance(b, 0);
  if (framer.error) return framer.error;
  return framer.done ? at + endB : -1;
}

test('a chunked body with extensions and trailers ends at the same byte however it is split', () => {
  const body = '5;name=va\r\nhello\r\n1A \t;x\r\n' + 'z'.repeat(26) + '\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\n';
  const bytes = Buffer.from(`${body}GET /next HTTP/1.1\r\n`, 'latin1');
  for (let at = 0; at <= bytes.length; at++) assert.equal(frameSplit({ kind: 'chunked' }, bytes, at), body.length, `split at ${at}`);
  const plain = Buffer.from('0\r\n\r\nrest');
  for (let at = 0; at <= plain.length; at++) assert.equal(frameSplit({ kind: 'chunked' }, plain, at), 5, `empty body split at ${at}`);
});

test('a Content-Length body ends after its length however it is split; a close-framed one never ends', () => {
  const bytes = Buffer.from('0123456789NEXT');
  for (let at = 0; at <= bytes.length; at++) assert.equal(frameSplit({ kind: 'length', length: 10 }, bytes, at), 10, `split at ${at}`);
  const close = new BodyFramer({ kind: 'close' });
  assert.equal(close.advance(bytes, 3), bytes.length);
  assert.equal(close.done, false);
  assert.equal(new BodyFramer({ kind: 'none' }).done, true);
});

test('broken chunked bodies are errors, not hangs or throws', () => {
  for (const bad of ['x\r\n', '\r\n', '5\r\nhelloX\r\n', '5\nhello', '1234567890abc\r\n', '0\r\n\r\r', '5\r\nhello\r\n0\r\nBad\nTrailer\r\n\r\n', `1;${'e'.repeat(17_000)}\r\n`]) {
    for (let at = 0; at <= bad.length; at++) {
      const got = frameSplit({ kind: 'chunked' }, Buffer.from(bad, 'latin1'), at);
      assert.equal(typeof got, 'string', `${JSON.stringify(bad.slice(0, 30))} split at ${at}: ${got}`);
    }
  }
});

test('the upstream head keeps the client\'s headers in order, drops hop-by-hop ones and adds X-Forwarded-* and Forwarded', () => {
  const read = readHead(Buffer.from('GET /x HTTP/1.1\r\nHost: a.localhost:1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\n' +
    'X-Forwarded-For: 10.0.0.1\r\nForwarded: for=10.0.0.1\r\nX-Manito-Hops: 1\r\nAccept: */*\r\n\r\n'), LIMITS);
  assert.equal(read.kind, 'head');
  if (read.kind !== 'head') return;
  const req = requestHead(read)!;
  assert.equal(wantsClose(req.version, req), false);
  assert.equal(upstreamHead(req, { client: '::1', proto: 'http', hops: 1, host: 'a.localhost:1', connection: 'keep-alive' }),
    'GET /x HTTP/1.1\r\nHost: a.localhost:1\r\nAccept: */*\r\nX-Forwarded-For: 10.0.0.1, ::1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: a.localhost:1\r\n' +
    'Forwarded: for=10.0.0.1, for="[::1]";host="a.localhost:1";proto=http\r\nX-Manito-Hops: 2\r\n\r\n');
  assert.match(upstreamHead(req, { client: '127.0.0.1', proto: 'http', hops: 0, host: 'a', connection: 'upgrade', upgrade: 'websocket' }), /Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n$/);
  assert.equal(wantsClose('1.0', fields()), true);
  assert.equal(wantsClose('1.1', fields('Connection', 'Close')), true);
});
