// A few lines of RESP over node:net, so the demo needs no Redis client package: INCR and PING.
import { connect } from 'node:net';

/** Sends one command and resolves with the first reply line, e.g. ":42" or "+PONG". */
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy(new Error(`redis on ${port} did not answer`)));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        const line = reply.slice(0, end);
        if (line.startsWith('-')) reject(new Error(line.slice(1)));
        else resolve(line);
      }
    });
    socket.on('error', reject);
  });
}
