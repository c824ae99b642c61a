// The demo's API server: plain node:http plus a WebSocket (ws) on the same port. Every port comes
// from the environment Manito sets: PORT for itself, MANITO_REDIS_PORT for the cache.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { redisCommand } from './redisPing.mjs';

const port = Number(process.env.PORT ?? 3000);
const redisPort = Number(process.env.MANITO_REDIS_PORT ?? 6379);
const startedAt = Date.now();

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/api/health') {
    return json(res, 200, { status: 'ok', service: 'fullstack-api', port, uptime: (Date.now() - startedAt) / 1000 });
  }
  if (url.pathname === '/api/hello') {
    let visits = null;
    let redis = 'unreachable';
    try {
      visits = Number((await redisCommand(redisPort, 'INCR', 'fullstack:visits')).slice(1));
      redis = `redis on ${redisPort}`;
    } catch (error) {
      redis = `redis on ${redisPort}: ${error.message}`;
    }
    return json(res, 200, { message: `Hello from the API on port ${port}`, port, visits, redis, websockets: wss.clients.size });
  }
  if (url.pathname === '/api/env') {
    const ports = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^MANITO_.*_PORT$/.test(k) || k === 'PORT'));
    return json(res, 200, ports);
  }
  json(res, 404, { error: `no route ${url.pathname}` });
});

// The WebSocket shares the HTTP server's port: Manito's "websocket" service inherits it.
const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', (socket) => {
  socket.send(JSON.stringify({ type: 'welcome', port, clients: wss.clients.size }));
  socket.on('message', (data) => socket.send(JSON.stringify({ type: 'echo', data: String(data) })));
});
setInterval(() => {
  const tick = JSON.stringify({ type: 'tick', at: new Date().toISOString(), clients: wss.clients.size });
  for (const client of wss.clients) client.send(tick);
}, 5000).unref();

server.listen(port, () => {
  console.log(`API server listening on http://localhost:${port} (WebSocket ws://localhost:${port}/ws, redis ${redisPort})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const client of wss.clients) client.terminate();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
