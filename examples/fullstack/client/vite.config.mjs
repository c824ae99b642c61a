// Ports from the environment: the dev server's own (PORT) and the API server's
// (MANITO_SERVER_PORT), so the proxy follows the server wherever Manito moved it.
const port = Number(process.env.PORT ?? 5173);
const apiPort = Number(process.env.MANITO_SERVER_PORT ?? 3000);
const api = `http://127.0.0.1:${apiPort}`;

export default {
  server: {
    port,
    strictPort: true,
    host: '127.0.0.1',
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/ws': { target: api.replace('http', 'ws'), ws: true },
    },
  },
  define: {
    __API_PORT__: JSON.stringify(apiPort),
  },
};
