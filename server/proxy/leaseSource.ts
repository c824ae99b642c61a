// The proxy's one view of the engine's lease registry: the live leases (read without the lock, for
// display) and a cheap signature of the file, so a cached route table is rebuilt the moment the
// file changes. Only this file knows the registry's shape; the engine may change how it writes.
import * as fs from 'node:fs';
import { LeaseRegistry } from '../engine/leaseRegistry';
import type { RouteLease } from './routeNames';

export interface LeaseSource {
  readonly file: string;
  /** The live leases now (dead hosts' dropped). */
  read(): RouteLease[];
  /** Changes whenever the file is replaced or rewritten; '' when there is no file. */
  signature(): string;
}

export function registryLeaseSource(file: string): LeaseSource {
  const registry = new LeaseRegistry({ file });
  return {
    file: registry.file,
    read: () => registry.read().map(({ workspace, service, port, since }) => ({ workspace, service, port, since })),
    signature: () => fileSignature(registry.file),
  };
}

/**
 * Inode (a temp + rename write makes a new one), size and change time in nanoseconds (an in-place
 * write). One stat: cheap enough to ask before every proxied request.
 */
export function fileSignature(file: string): string {
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.ctimeNs}` : '';
}
