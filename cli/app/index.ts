// App-side helpers for the user's own code: `manito/app` (dist/app.js, dist/app.mjs).
export { createPortConfig, PortConfig, SEED_DEFAULT_PORTS, VITE_PORTS_PATH, type PortConfigOptions, type PortSource } from './portConfig';
export { manitoVite, type ManitoViteOptions } from './vitePlugin';
