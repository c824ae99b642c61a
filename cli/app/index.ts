// App-side helpers for the user's own code, published as the manito-app package (packages/app).
export { createPortConfig, PortConfig, SEED_DEFAULT_PORTS, VITE_PORTS_PATH, type PortConfigOptions, type PortSource } from './portConfig';
export { manitoVite, type ManitoViteOptions } from './vitePlugin';
