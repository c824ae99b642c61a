// One client connection of the proxy. It reads only request heads (httpHead), routes each by Host,
// pairs the client with one socket to the service for as long as requests keep going to the same
// port, writes the rewritten head and then passes bytes on raw both ways. The service's response
// head is read only to learn where the response ends, so the next request on the connection may
// go elsewhere; after a 101 both sides are one raw pipe. No node:http objects on the hot path.
import * as net from 'node:net';
import { BodyFramer, finalResponse, requestFraming } from './bodyFraming';
import { headerValues, readHead, requestHead, isUpgrade, wantsClose, type HeadLimits, type RequestHead } from './httpHead';
import { answerBytes, textAnswer, type Answer, type Decision } from './proxyAnswer';
import { upstreamHead } from './upstreamHead';

export interface ConnectionOptions {
  limits: HeadLimits & { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  proto: 'http' | 'https';
  decide(req: RequestHead): Decision;
}

const EMPTY: Buffer = Buffer.alloc(0);
const LINGER_MS = 2000;
const enum Wait { Drain = 1, Response = 2 }

export class PairedConnection {
  /** When the current phase runs out (checked by the server's sweep); Infinity while the service is working. */
  deadline: number;
  private phase: 'idle' | 'head' | 'body' | 'sent' | 'tunnel' | 'closing' = 'idle';
  private buf: Buffer = EMPTY;
  private reqBody: BodyFramer | undefined;
  private upstream: net.Socket | undefined;
  private upstreamPort = 0;
  /** Requests written on the current upstream socket: a reused one may have been closed by the service as we wrote. */
  private upstreamUses = 0;
  private responding: 'none' | 'head' | 'body' = 'none';
  private resBuf: Buffer = EMPTY;
  private resBody: BodyFramer | undefined;
  private responseStarted = false;
  private current: { req: RequestHead; head: string; decision: Exclude<Decision, Answer>; upgrade: boolean; bodyless: boolean; retried: boolean } | undefined;
  private closeAfter = false;
  private paused = 0;
  private lastError: NodeJS.ErrnoException | undefined;

  constructor(private readonly client: net.Socket, private readonly options: ConnectionOptions, private readonly onGone: () => void) {
    this.deadline = Date.now() + options.limits.keepAliveTimeoutMs;
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('end', () => this.clientEnded());
    client.on('error', () => client.destroy());
    client.on('close', () => this.destroy());
  }

  /** Called by the server's sweep when `deadline` has passed. */
  expire(): void {
    if (this.phase === 'head') this.refuse(408, 'The request head took too long.');
    else if (this.phase === 'body' && !this.responseStarted) this.refuse(408, 'The request body took too long.');
    else this.destroy();
  }

  destroy(): void {
    this.phase = 'closing';
    this.deadline = Infinity;
    this.client.destroy();
    this.upstream?.destroy();
    this.onGone();
  }

  private fromClient(chunk: Buffer): void {
    switch (this.phase) {
      case 'tunnel': return this.send(this.upstream!, chunk, this.client);
      case 'body': {
        const end = this.reqBody!.advance(chunk, 0);
        if (this.reqBody!.error) return this.destroy();
        this.send(this.upstream!, end === chunk.length ? chunk : chunk.subarray(0, end), this.client);
        if (!this.reqBody!.done) return;
        this.requestSent();
        if (end < chunk.length) this.hold(chunk.subarray(end));
        return;
      }
      case 'idle':
        this.phase = 'head';
        this.deadline = Date.now() + this.options.limits.headersTimeoutMs;
        this.buf = chunk;
        return this.readRequests();
      case 'head':
        this.buf = Buffer.concat([this.buf, chunk]);
        return this.readRequests();
      case 'sent': return this.hold(chunk);
      case 'closing': return;
    }
  }

  /** Bytes that came before the current response ended (pipelined): kept, and the client paused while they pile up. */
  private hold(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.buf.length > this.options.limits.maxSize) this.pause(Wait.Response);
  }

  private readRequests(): void {
    while (this.phase === 'head') {
      const read = readHead(this.buf, this.options.limits);
      if (read.kind === 'partial') return;
      if (read.kind === 'error') return this.refuse(read.status, `The request could not be read (${read.reason}).`);
      const req = requestHead(read);
      if (!req) return this.refuse(400, 'The request line could not be read.');
      if (req.method === 'CONNECT') return this.refuse(405, 'CONNECT is refused: this proxy is no open proxy.');
      const framing = requestFraming(req);
      if ('error' in framing) return this.refuse(400, `The request could not be read (${framing.error}).`);
      this.buf = this.buf.subarray(read.end);
      const decision = this.options.decide(req);
      const close = wantsClose(req.version, req);
      if (!('port' in decision)) {
        // An answered request with a body would leave the body where the next head should be.
        const closing = close || decision.close === true || framing.kind !== 'none';
        this.answer(decision, closing, req.version);
        if (closing) return;
        this.settle();
        continue;
      }
      const upgrade = isUpgrade(req);
      this.closeAfter = close;
      const head = upstreamHead(req, {
        client: this.client.remoteAddress ?? '', proto: this.options.proto, hops: decision.hops, host: headerValues(req, 'host')[0] ?? '',
        connection: upgrade ? 'upgrade' : close ? 'close' : 'keep-alive', upgrade: headerValues(req, 'upgrade')[0],
      });
      this.current = { req, head, decision, upgrade, bodyless: framing.kind === 'none', retried: false };
      this.pair(decision.port);
      this.responding = 'head';
      this.responseStarted = false;
      this.reqBody = new BodyFramer(framing);
      const rest = this.buf;
      this.buf = EMPTY;
      this.upstream!.write(head, 'latin1'); // the head's bytes as they came: read as latin1, written back as latin1
      if (upgrade) {
        // Until the service answers 101, what the client sends after the head is the service's to read.
        this.phase = 'tunnel';
        this.deadline = Infinity;
        if (rest.length) this.send(this.upstream!, rest, this.client);
        return;
      }
      this.phase = 'body';
      this.deadline = Date.now() + this.options.limits.requestTimeoutMs;
      if (this.reqBody.done) {
        this.requestSent();
        this.buf = rest;
      } else if (rest.length) this.fromClient(rest);
      return;
    }
  }

  private requestSent(): void {
    this.phase = 'sent';
    this.deadline = Infinity;
  }

  /** The upstream socket for `port`: the paired one when it goes there, else a new one (the old pair is idle here). */
  private pair(port: number): void {
    if (this.upstream && this.upstreamPort === port && !this.upstream.destroyed) {
      this.upstreamUses++;
      return;
    }
    this.upstream?.destroy();
    this.paused &= ~Wait.Drain;
    const upstream = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.upstream = upstream;
    this.upstreamPort = port;
    this.upstreamUses = 1;
    this.lastError = undefined;
    if (!this.paused) this.client.resume();
    upstream.on('data', (chunk: Buffer) => { if (upstream === this.upstream) this.fromUpstream(chunk); });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (upstream === this.upstream) this.lastError = error;
      upstream.destroy();
    });
    upstream.on('close', () => { if (upstream === this.upstream) this.upstreamClosed(); });
  }

  private fromUpstream(chunk: Buffer): void {
    if (this.phase === 'tunnel' && this.responding === 'none') return this.send(this.client, chunk, this.upstream!);
    if (this.responding === 'none') return void this.upstream!.destroy(); // nothing asked: a service talking out of turn
    let start = 0;
    if (this.responding === 'head') {
      chunk = this.resBuf.length ? Buffer.concat([this.resBuf, chunk]) : chunk;
      const next = finalResponse(chunk, this.current!.req.method, this.current!.upgrade);
      if (next.kind === 'broken') return this.badResponse(next.start > 0);
      if (next.kind === 'partial') {
        if (next.start) this.responseStarted = true;
        if (next.start) this.send(this.client, chunk.subarray(0, next.start), this.upstream!);
        this.resBuf = chunk.subarray(next.start);
        return;
      }
      this.resBuf = EMPTY;
      this.responseStarted = true;
      if (next.kind === 'switched') {
        this.responding = 'none';
        return this.send(this.client, chunk, this.upstream!);
      }
      // A refused upgrade closes: the client may have sent frames already.
      if (next.close || this.current!.upgrade) this.closeAfter = true;
      this.resBody = new BodyFramer(next.framing);
      this.responding = 'body';
      start = next.end;
    }
    const end = this.resBody!.advance(chunk, start);
    if (this.resBody!.error) return this.destroy();
    this.send(this.client, end === chunk.length ? chunk : chunk.subarray(0, end), this.upstream!);
    if (!this.resBody!.done) return;
    if (end < chunk.length) this.upstream!.destroy(); // more than the response: the pair is out of step
    this.responseEnded();
  }

  private responseEnded(): void {
    this.responding = 'none';
    this.current = undefined;
    if (this.phase === 'body' || this.phase === 'tunnel') this.closeAfter = true; // answered before the body was all sent
    if (this.closeAfter) return this.finish();
    this.nextRequest();
  }

  /** Between requests: idle on the keep-alive clock, or on the head clock when the next head is already here. */
  private settle(): void {
    this.phase = this.buf.length ? 'head' : 'idle';
    this.deadline = Date.now() + (this.buf.length ? this.options.limits.headersTimeoutMs : this.options.limits.keepAliveTimeoutMs);
  }

  private nextRequest(): void {
    this.settle();
    this.resume(Wait.Response);
    this.readRequests();
  }

  private upstreamClosed(): void {
    const current = this.current;
    this.upstream = undefined;
    if (this.phase === 'tunnel' && this.responding === 'none') return this.finish();
    if (this.responding === 'none' || !current) return;
    if (this.responding === 'body' && this.resBody && !this.resBody.done && this.resBuf.length === 0 && this.resBody.framing.kind === 'close') return this.finish();
    if (this.responseStarted) return this.destroy();
    // The service closed a kept-alive socket as we reused it: once more on a fresh one, when nothing of a body was sent.
    if (this.upstreamUses > 1 && !current.retried && this.phase === 'sent' && current.bodyless) {
      current.retried = true;
      this.pair(current.decision.port);
      this.resBuf = EMPTY;
      this.upstream!.write(current.head, 'latin1');
      return;
    }
    this.responding = 'none';
    this.current = undefined;
    const error = this.lastError ?? Object.assign(new Error('the service closed the connection'), { code: 'ECONNRESET' });
    this.lastError = undefined;
    const closing = this.closeAfter || this.phase !== 'sent';
    this.answer(current.decision.fail(error), closing, current.req.version);
    if (!closing) this.nextRequest();
  }

  private badResponse(forwarded: boolean): void {
    if (forwarded || this.responseStarted) return this.destroy();
    this.upstream?.destroy();
  }

  /** Answers from the proxy itself; `close` ends the connection once it is written. */
  private answer(a: Answer, close: boolean, version: '1.0' | '1.1'): void {
    this.client.write(answerBytes(a, close, version));
    if (close) this.finish();
  }

  private refuse(status: number, text: string): void {
    this.answer(textAnswer(status, text), true, '1.1');
  }

  /** Ends the client's side and lingers briefly reading what it still sends, so the answer is not lost to a reset. */
  private finish(): void {
    if (this.phase === 'closing') return;
    this.phase = 'closing';
    this.upstream?.destroy();
    this.client.end();
    this.client.resume();
    this.deadline = Date.now() + LINGER_MS;
  }

  private clientEnded(): void {
    if (this.phase === 'tunnel') return void this.upstream?.end();
    if (this.phase === 'idle' || this.phase === 'head' || this.phase === 'closing') return this.finish();
    this.closeAfter = true; // half-closed after its request: the response still goes back
  }

  private send(to: net.Socket, chunk: Buffer, from: net.Socket): void {
    if (to.write(chunk) || to.destroyed) return;
    if (from === this.client) this.pause(Wait.Drain);
    else from.pause();
    to.once('drain', () => (from === this.client ? this.resume(Wait.Drain) : from.resume()));
  }

  private pause(why: Wait): void {
    this.paused |= why;
    this.client.pause();
  }

  private resume(why: Wait): void {
    this.paused &= ~why;
    if (!this.paused) this.client.resume();
  }
}
