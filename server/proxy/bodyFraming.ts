// Where a message body ends (RFC 9112 6): decided from the head, then followed byte by byte as the
// body streams through, so the proxy can pass bodies on untouched and still know where the next
// request (or response) starts. Pure; the unit tests feed bodies split at every byte.
import { headerValues, listTokens, readHead, responseHead, wantsClose, type Fields, type HeadLimits } from './httpHead';

export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** A response that ends when the service closes its connection. */
  | { kind: 'close' };

const DIGITS = /^\d{1,15}$/;

/** A request's body framing, or why the request must be refused (CL with TE, bad lengths, an unknown coding). */
export function requestFraming(headers: Fields): Framing | { error: string } {
  const te = headerValues(headers, 'transfer-encoding');
  const cl = headerValues(headers, 'content-length');
  if (te.length) {
    if (cl.length) return { error: 'both Content-Length and Transfer-Encoding' };
    const codings = listTokens(te);
    if (codings.at(-1) !== 'chunked' || codings.indexOf('chunked') !== codings.length - 1) return { error: 'a request body must end chunked' };
    return { kind: 'chunked' };
  }
  if (!cl.length) return { kind: 'none' };
  const length = contentLength(cl);
  if (length === undefined) return { error: 'invalid Content-Length' };
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

/** A response's body framing; undefined when its Content-Length makes no sense (the service is broken). */
export function responseFraming(status: number, requestMethod: string, headers: Fields): Framing | undefined {
  if (requestMethod === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  const te = headerValues(headers, 'transfer-encoding');
  if (te.length) return listTokens(te).at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  const cl = headerValues(headers, 'content-length');
  if (!cl.length) return { kind: 'close' };
  const length = contentLength(cl);
  if (length === undefined) return undefined;
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

const RESPONSE_LIMITS: HeadLimits = { maxSize: 64 * 1024, maxCount: 1000 };

export type NextResponse =
  /** `start`: where the bytes not yet understood begin (after any 1xx heads, which pass on as they are). */
  | { kind: 'partial'; start: number }
  | { kind: 'broken'; start: number }
  /** A 101 to an upgrade: from here on, a raw pipe. */
  | { kind: 'switched' }
  /** The final response's head ends at `end`; `close`: the service closes after it. */
  | { kind: 'final'; end: number; framing: Framing; close: boolean };

/** Reads response heads from the start of `buf`, skipping 100 Continue and 103 Early Hints, up to the final one. */
export function finalResponse(buf: Buffer, method: string, upgrade: boolean): NextResponse {
  let start = 0;
  for (;;) {
    const read = readHead(start ? buf.subarray(start) : buf, RESPONSE_LIMITS);
    if (read.kind === 'partial') return { kind: 'partial', start };
    if (read.kind === 'error') return { kind: 'broken', start };
    const res = responseHead(read);
    const framing = res && responseFraming(res.status, method, res);
    if (!res || !framing) return { kind: 'broken', start };
    if (res.status === 101 && upgrade) return { kind: 'switched' };
    start += read.end;
    if (res.status >= 200) return { kind: 'final', end: start, framing, close: wantsClose(res.version, res) };
  }
}

/** Equal repeated values (`5, 5`) are one length (RFC 9110 8.6); anything else is invalid. */
function contentLength(values: readonly string[]): number | undefined {
  let length: number | undefined;
  for (const v of values) {
    for (const part of v.split(',')) {
      const t = part.trim();
      if (!DIGITS.test(t)) return undefined;
      const n = Number(t);
      if (length !== undefined && n !== length) return undefined;
      length = n;
    }
  }
  return length;
}

const enum Chunk { Size, Ext, SizeLf, Data, DataCr, DataLf, LineStart, Trailer, TrailerLf, EndLf }
const MAX_SIZE_DIGITS = 12;
const MAX_META = 16 * 1024;

/** Follows one body through the chunks a socket delivers. */
export class BodyFramer {
  done: boolean;
  error: string | undefined;
  private remaining: number;
  private state = Chunk.Size;
  private digits = 0;
  /** Bytes of chunk-size lines and trailers seen: bounded, so a body of only metadata is refused. */
  private meta = 0;

  constructor(readonly framing: Framing) {
    this.done = framing.kind === 'none';
    this.remaining = framing.kind === 'length' ? framing.length : 0;
  }

  /**
   * Consumes body bytes of `buf` from `start`; returns the offset just past the last one. When that
   * is short of buf.length the body ended there (or `error` is set); what follows is the next message.
   */
  advance(buf: Buffer, start: number): number {
    if (this.done || this.error) return start;
    const kind = this.framing.kind;
    if (kind === 'close') return buf.length;
    if (kind === 'length') {
      const take = Math.min(this.remaining, buf.length - start);
      this.remaining -= take;
      if (this.remaining === 0) this.done = true;
      return start + take;
    }
    return this.chunked(buf, start);
  }

  private chunked(buf: Buffer, start: number): number {
    let i = start;
    while (i < buf.length && !this.done) {
      if (this.state === Chunk.Data) {
        const take = Math.min(this.remaining, buf.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = Chunk.DataCr;
        continue;
      }
      const c = buf[i++];
      if (++this.meta > MAX_META) return this.fail(i, 'chunk metadata too long');
      switch (this.state) {
        case Chunk.Size: {
          const d = hexValue(c);
          if (d >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail(i, 'chunk size too large');
            this.remaining = this.remaining * 16 + d;
          } else if (this.digits === 0) return this.fail(i, 'chunk size expected');
          else if (c === 13) this.state = Chunk.SizeLf;
          else if (c === 59 || c === 32 || c === 9) this.state = Chunk.Ext;
          else return this.fail(i, 'bad chunk size');
          break;
        }
        case Chunk.Ext:
          if (c === 13) this.state = Chunk.SizeLf;
          else if (c < 32 && c !== 9) return this.fail(i, 'bad chunk extension');
          break;
        case Chunk.SizeLf:
          if (c !== 10) return this.fail(i, 'chunk size line without LF');
          this.digits = 0;
          this.state = this.remaining === 0 ? Chunk.LineStart : Chunk.Data;
          break;
        case Chunk.DataCr:
          if (c !== 13) return this.fail(i, 'chunk data longer than its size');
          this.state = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (c !== 10) return this.fail(i, 'chunk data without CRLF');
          this.state = Chunk.Size;
          break;
        case Chunk.LineStart:
          this.state = c === 13 ? Chunk.EndLf : Chunk.Trailer;
          break;
        case Chunk.Trailer:
          if (c === 13) this.state = Chunk.TrailerLf;
          else if (c === 10) return this.fail(i, 'bare LF in a trailer');
          break;
        case Chunk.TrailerLf:
          if (c !== 10) return this.fail(i, 'trailer line without LF');
          this.state = Chunk.LineStart;
          break;
        case Chunk.EndLf:
          if (c !== 10) return this.fail(i, 'last chunk without CRLF');
          this.done = true;
          break;
      }
    }
    return i;
  }

  private fail(at: number, why: string): number {
    this.error = why;
    return at;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
