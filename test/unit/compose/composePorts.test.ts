// Every `ports` syntax Compose takes, the ones Manito refuses (with a sentence), and variables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortEntry, publishedSpec, type ComposePort } from '../../../server/compose/composePorts';
import { interpolate, parseDotEnv } from '../../../server/compose/interpolate';

const port = (container: number, published: number | null, hostIp: string | null = null, protocol: ComposePort['protocol'] = 'tcp') => ({ ok: true, port: { container, published, hostIp, protocol } });

test('short syntax: container only, host:container, ip:host:container, protocol, IPv6, empty host', () => {
  const cases: Array<[unknown, ReturnType<typeof port>]> = [
    [3000, port(3000, null)],
    ['3000', port(3000, null)],
    ['6379:6379', port(6379, 6379)],
    ['127.0.0.1:5432:5432', port(5432, 5432, '127.0.0.1')],
    ['8080:80/tcp', port(80, 8080)],
    ['8080:80/TCP', port(80, 8080)],
    ['5353:53/udp', port(53, 5353, null, 'udp')],
    ['9000:9000/sctp', port(9000, 9000, null, 'sctp')],
    ['[::1]:8080:80', port(80, 8080, '::1')],
    ['[::]:8080:80/udp', port(80, 8080, '::', 'udp')],
    ['127.0.0.1::5000', port(5000, null, '127.0.0.1')],
    ['0.0.0.0:80-80:80', port(80, 80, '0.0.0.0')],
    [' 8080:80 ', port(80, 8080)],
  ];
  for (const [entry, expected] of cases) assert.deepEqual(parsePortEntry(entry, {}), expected, String(entry));
});

test('long syntax: target, published (number or string), host_ip, protocol', () => {
  assert.deepEqual(parsePortEntry({ target: 80, published: 8080 }, {}), port(80, 8080));
  assert.deepEqual(parsePortEntry({ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'host' }, {}), port(80, 8080, '127.0.0.1'));
  assert.deepEqual(parsePortEntry({ target: 53, protocol: 'udp' }, {}), port(53, null, null, 'udp'));
  assert.deepEqual(parsePortEntry({ target: '${T}', published: '${P:-9999}' }, { T: '81' }), port(81, 9999));
});

test('ranges and malformed entries are refused with a sentence naming what is wrong', () => {
  const refused: Array<[unknown, RegExp]> = [
    ['8000-8010:8000-8010', /port 8000-8010 is a range; Manito gives each service one port/],
    ['3000-3005', /container port 3000-3005 is a range/],
    ['127.0.0.1:8000-8001:80', /published port 8000-8001 is a range/],
    ['70000:80', /published port 70000 is outside 1-65535/],
    ['8080:0', /container port 0 is outside 1-65535/],
    ['abc:80', /published port "abc" is not a port number/],
    ['8080:80/http', /protocol "http" is not tcp, udp or sctp/],
    ['::1:8080:80', /too many ":"; write an IPv6 host address in brackets/],
    ['[::1]8080:80', /must be followed by ":"/],
    [{ published: 8080 }, /needs "target"/],
    [{ target: 80, published: { x: 1 } }, /"published" must be a port number/],
    [{ target: 80, host_ip: 5 }, /"host_ip" must be an address/],
    [8080.5, /not a port number/],
    [null, /a port is a number, a string/],
    [['8080:80'], /a port is a number, a string/],
    ['${NEED:?set NEED first}:80', /required variable NEED is missing a value: set NEED first/],
  ];
  for (const [entry, message] of refused) {
    const parsed = parsePortEntry(entry, {});
    assert.equal(parsed.ok, false, JSON.stringify(entry));
    if (!parsed.ok) assert.match(parsed.message, message, JSON.stringify(entry));
  }
});

test('the derived spec publishes on loopback with the container port unchanged', () => {
  assert.equal(publishedSpec(41001, { container: 80, protocol: 'tcp' }), '127.0.0.1:41001:80');
  assert.equal(publishedSpec(41001, { container: 53, protocol: 'udp' }), '127.0.0.1:41001:53/udp');
});

test('interpolation follows Compose: defaults with and without colon, $$, bare names, unset is empty', () => {
  const vars = { SET: 'x', EMPTY: '' };
  assert.equal(interpolate('${SET}-${EMPTY:-d}-${EMPTY-d}-${UNSET-d}-$SET-$$SET-${UNSET}', vars), 'x-d--d-x-$SET-');
  assert.throws(() => interpolate('${EMPTY:?must be set}', vars), /required variable EMPTY is missing a value: must be set/);
  assert.equal(interpolate('${EMPTY?}', vars), '');
});

test('.env lines: comments, export, quotes, inline comments', () => {
  assert.deepEqual(parseDotEnv('# c\nA=1\nexport B = two\nC="q # not a comment"\nD=\'s\'\nE=v # comment\nnot a line\n'), {
    A: '1', B: 'two', C: 'q # not a comment', D: 's', E: 'v',
  });
});
