// Reads one HTTP/1.x message head (request or response) out of the bytes a socket has delivered so
// far, strictly: CRLF line ends only, no obs-fold, token header names, no control characters in
// values, bounded size and count. Pure: the proxy's sockets call it, the unit tests split heads at
// every byte. Strictness here is what stops request smuggling through the proxy's raw byte path.

export interface HeadLimits {
  /** Bytes from the first byte of the head through its blank line. */
  maxSize: number;
  maxCount: number;
}

export type HeadRead =
  | { kind: 'partial' }
  | { kind: 'error'; status: 400 | 431; reason: string }
  /** `end`: the offset just past the blank line; `headers`: flat [name, value, ...] as sent; `names`: each name lowercased. */
  | { kind: 'head'; end: number; startLine: string; headers: string[]; names: string[] };

/** A field list: flat [name, value, ...] as sent, and each name lowercased once (names[i] is headers[2i]'s). */
export interface Fields {
  headers: string[];
  names: string[];
}

export interface RequestHead extends Fields {
  method: string;
  target: string;
  version: '1.0' | '1.1';
}

export interface ResponseHead extends Fields {
  version: '1.0' | '1.1';
  status: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e\x80-\xff]+) HTTP\/1\.([01])$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [\x09\x20-\x7e\x80-\xff]*)?$/;

/** Finds and splits the head that starts at `buf[0]` (empty lines before a request line are skipped, RFC 9112 2.2). */
export function readHead(buf: Buffer, limits: HeadLimits): HeadRead {
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  const blank = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (blank < 0) {
    return buf.length - start > limits.maxSize ? { kind: 'error', status: 431, reason: 'head too large' } : { kind: 'partial' };
  }
  const end = blank + 4;
  if (end - start > limits.maxSize) return { kind: 'error', status: 431, reason: 'head too large' };
  const text = buf.toString('latin1', start, blank);
  // One scan of the whole head for control characters and a CR or LF that is not a CRLF pair.
  if (BAD_TEXT.test(text)) return { kind: 'error', status: 400, reason: 'control character, bare CR or bare LF' };
  const lines = text.split('\r\n');
  const startLine = lines[0];
  if (lines.length - 1 > limits.maxCount) return { kind: 'error', status: 431, reason: 'too many header fields' };
  const headers: string[] = [];
  const names: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'error', status: 400, reason: 'header field without a name' };
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return { kind: 'error', status: 400, reason: 'header field name is not a token' };
    let a = colon + 1;
    let b = line.length;
    while (a < b && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++;
    while (b > a && (line.charCodeAt(b - 1) === 32 || line.charCodeAt(b - 1) === 9)) b--;
    headers.push(name, line.slice(a, b));
    names.push(name.toLowerCase());
  }
  return { kind: 'head', end, startLine, headers, names };
}

export function requestHead(read: Fields & { startLine: string }): RequestHead | undefined {
  const m = REQUEST_LINE.exec(read.startLine);
  return m ? { method: m[1], target: m[2], version: m[3] === '0' ? '1.0' : '1.1', headers: read.headers, names: read.names } : undefined;
}

export function responseHead(read: Fields & { startLine: string }): ResponseHead | undefined {
  const m = STATUS_LINE.exec(read.startLine);
  return m ? { version: m[1] === '0' ? '1.0' : '1.1', status: Number(m[2]), headers: read.headers, names: read.names } : undefined;
}

/** Every value of a header (case-insensitive name), in order. */
export function headerValues(fields: Fields, lowerName: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < fields.names.length; i++) if (fields.names[i] === lowerName) out.push(fields.headers[2 * i + 1]);
  return out;
}

/** The comma-separated tokens of a list header (Connection, Transfer-Encoding), lowercased. */
export function listTokens(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const t of v.split(',')) if (t.trim()) out.push(t.trim().toLowerCase());
  return out;
}

/** Whether the sender of this head means to close its connection after the message. */
export function wantsClose(version: '1.0' | '1.1', fields: Fields): boolean {
  const tokens = listTokens(headerValues(fields, 'connection'));
  return version === '1.0' ? !tokens.includes('keep-alive') : tokens.includes('close');
}

/** A request that asks to switch protocols (WebSocket): an Upgrade header named in Connection. */
export function isUpgrade(fields: Fields): boolean {
  return headerValues(fields, 'upgrade').length > 0 && listTokens(headerValues(fields, 'connection')).includes('upgrade');
}
