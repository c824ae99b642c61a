// What a proxy connection does with a request head (forward it to a port, or answer it itself),
// and the bytes of the proxy's own answers. Pure.

export type Decision =
  | { port: number; hops: number; fail: (error: NodeJS.ErrnoException) => Answer }
  | Answer;

export interface Answer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** Ends the connection after the answer (malformed requests, refused upgrades). */
  close?: boolean;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  431: 'Request Header Fields Too Large', 502: 'Bad Gateway', 508: 'Loop Detected',
};

export const TEXT_HEADERS = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Manito-Proxy': '1' } as const;

export function textAnswer(status: number, text: string, close = true): Answer {
  return { status, headers: TEXT_HEADERS, body: `${text}\n`, close };
}

/** The whole response; HTTP/1.0 clients are told keep-alive explicitly, HTTP/1.1 ones only a close. */
export function answerBytes(a: Answer, close: boolean, version: '1.0' | '1.1'): Buffer {
  let head = `HTTP/1.1 ${a.status} ${REASONS[a.status] ?? 'Error'}\r\n`;
  for (const [name, value] of Object.entries(a.headers)) head += `${name}: ${value}\r\n`;
  const body = Buffer.from(a.body, 'utf8');
  head += `Content-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : version === '1.0' ? 'Connection: keep-alive\r\n' : ''}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
