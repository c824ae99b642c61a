// Small helpers of StackRunner: the action results it answers with, and a resolvable promise.
import type { ActionResult } from '../../protocol/lsp';

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

export function fail(message: string): ActionResult {
  return { ok: false, message };
}

export function summary(started: string[], skipped: string[], tail: string): string {
  const parts: string[] = [];
  if (started.length) parts.push(`Started ${started.join(', ')}.`);
  if (skipped.length) parts.push(`Skipped ${skipped.join(', ')}.`);
  if (tail) parts.push(tail);
  return parts.join(' ');
}
