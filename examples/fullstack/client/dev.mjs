// Starts the Vite dev server on the port Manito assigned (PORT), proxying /api and /ws to the API
// server's port (MANITO_SERVER_PORT). `vite` resolves from this example's node_modules or, offline,
// from the Manito checkout's root node_modules (Node looks up the folder tree).
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const server = await createServer({
  root,
  configFile: fileURLToPath(new URL('vite.config.mjs', import.meta.url)),
  clearScreen: false,
});
await server.listen();
server.printUrls();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void server.close().then(() => process.exit(0)));
