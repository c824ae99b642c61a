// What the CLI does when its reader goes away (EPIPE: `manito up | head -3` after head exits). The
// reader chose to stop reading, which is not a failure; a command that runs services must still stop
// them cleanly (leases, discovery file, process records) before exiting, so it can take the event.
let closed = false;
let handler: (() => void) | undefined;

/** True once stdout or stderr has lost its reader: writing more only raises EPIPE again. */
export function outputClosed(): boolean {
  return closed;
}

/**
 * `fn` runs (once) when the output closes, instead of the default immediate exit 0; at once if it
 * already has. Returns the function that gives the default back.
 */
export function onOutputClosed(fn: () => void): () => void {
  handler = fn;
  if (closed) setImmediate(fn);
  return () => { if (handler === fn) handler = undefined; };
}

/** Called by cli/main.ts on EPIPE. */
export function reportOutputClosed(exit: (code: number) => void): void {
  if (closed) return;
  closed = true;
  if (handler) handler();
  else exit(0);
}
