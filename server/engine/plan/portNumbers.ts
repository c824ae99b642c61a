// Checks on port numbers shared by the probe, the registry and the engine, so every entry point
// rejects bad input with the same precise message.

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

export function assertPort(port: unknown, what = 'port'): asserts port is number {
  if (typeof port !== 'number') throw new TypeError(`${what} must be a number, got ${typeof port}`);
  if (!Number.isInteger(port)) throw new TypeError(`${what} must be an integer, got ${port}`);
  if (port < MIN_PORT || port > MAX_PORT) throw new RangeError(`${what} must be between ${MIN_PORT} and ${MAX_PORT}, got ${port}`);
}

export function isPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT;
}
