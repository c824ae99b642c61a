// Vite plugin: the dev server takes the client's allocated port (strictPort, so Vite never
// silently moves) and proxies the API and WebSocket paths to the server's allocated port.
import type { Plugin, ProxyOptions } from 'vite' with { 'resolution-mode': 'import' };
import { createPortConfig, VITE_PORTS_PATH, type PortConfigOptions } from './portConfig';

export interface ManitoViteOptions extends Omit<PortConfigOptions, 'service'> {
  /** The service this dev server is. Default `client`. */
  service?: string;
  /** The service the proxied paths go to. Default `server`. */
  server?: string;
  /** Paths proxied over HTTP to the server. Default `['/api']`. */
  proxy?: string[];
  /** WebSocket path proxied to the server (`ws: true`); none by default. */
  ws?: string;
}

export function manitoVite(options: ManitoViteOptions = {}): Plugin {
  const service = options.service ?? 'client';
  const target = options.server ?? 'server';
  const config = createPortConfig({ ...options, service });
  return {
    name: 'manito',
    async config(_user, { command }) {
      if (command !== 'serve') return undefined;
      await config.initialize();
      const port = config.getPort(service);
      const serverPort = config.getPort(target);
      const proxy: Record<string, ProxyOptions> = {};
      if (serverPort !== undefined) {
        for (const path of options.proxy ?? ['/api']) proxy[path] = { target: `http://localhost:${serverPort}`, changeOrigin: true };
        if (options.ws) proxy[options.ws] = { target: `ws://localhost:${serverPort}`, ws: true, changeOrigin: true };
      }
      const where = config.source === 'host' ? `from the Manito host ${config.hostUrl ?? ''}`.trim() : config.source === 'env' ? 'from the environment' : 'the default';
      console.log(`[manito] ${service}: port ${port ?? '(vite default)'}, ${target}: ${serverPort ?? 'unknown'} (${where})`);
      return {
        server: {
          ...(port !== undefined ? { port, strictPort: true } : {}),
          ...(Object.keys(proxy).length ? { proxy } : {}),
        },
      };
    },
    configureServer(server) {
      // Browser code (createPortConfig() in the page) reads the ports here, same origin.
      server.middlewares.use(VITE_PORTS_PATH, (_req, res) => {
        void config.refresh().then(() => {
          const data: Record<string, unknown> = { ...config.ports, environment: config.environment, urls: config.urls };
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.setHeader('cache-control', 'no-store');
          res.end(JSON.stringify({ success: true, data }));
        });
      });
    },
  };
}
