// The API other extensions get from `vscode.extensions.getExtension('manito.manito').exports`:
// versioned and small (the ports of a folder, an event when they change), so the internals can move
// without breaking anyone. Documented in README.md ("For other extensions").
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StackSnapshot } from '../protocol/model';
import type { HostController } from './hostController';

/** Version 1 of the API. A breaking change gets a new version number, never a silent change. */
export interface ManitoApi {
  readonly version: 1;
  /** Service name -> port for the folder holding `folderUri`; rejects when Manito serves no such folder. */
  getPorts(folderUri: vscode.Uri): Promise<Record<string, number>>;
  /** Fires when any service of a served folder gets, changes or loses its port. */
  readonly onDidChangePorts: vscode.Event<PortsChangeEvent>;
}

export interface PortsChangeEvent {
  readonly folderUri: vscode.Uri;
  readonly ports: Readonly<Record<string, number>>;
}

/** How long getPorts waits for a host that is still starting. */
const WAIT_MS = 15_000;

export function portsOf(snapshot: StackSnapshot): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const s of snapshot.services) if (s.port !== null) ports[s.name] = s.port;
  return ports;
}

function samePorts(a: Record<string, number> | undefined, b: Record<string, number>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

interface Served {
  readonly uri: vscode.Uri;
  readonly controller: HostController;
  last: Record<string, number> | undefined;
}

/** Keeps the served folders (one per host controller) and answers for them. */
export class PublicApi implements vscode.Disposable {
  private readonly served = new Map<string, Served>();
  private readonly emitter = new vscode.EventEmitter<PortsChangeEvent>();

  /** Adds a served folder; the returned disposable removes it. */
  track(folderUri: vscode.Uri, controller: HostController): vscode.Disposable {
    const entry: Served = { uri: folderUri, controller, last: controller.snapshot && portsOf(controller.snapshot) };
    const key = folderUri.toString();
    this.served.set(key, entry);
    const sub = controller.onDidChangeSnapshot((snapshot) => {
      const ports = portsOf(snapshot);
      if (samePorts(entry.last, ports)) return;
      entry.last = ports;
      this.emitter.fire({ folderUri, ports: { ...ports } });
    });
    return new vscode.Disposable(() => {
      sub.dispose();
      if (this.served.get(key) === entry) this.served.delete(key);
    });
  }

  /** The object handed to other extensions: nothing but version 1 of the API. */
  get api(): ManitoApi {
    return Object.freeze({
      version: 1 as const,
      getPorts: (folderUri: vscode.Uri) => this.getPorts(folderUri),
      onDidChangePorts: this.emitter.event,
    });
  }

  dispose(): void {
    this.served.clear();
    this.emitter.dispose();
  }

  private async getPorts(folderUri: vscode.Uri): Promise<Record<string, number>> {
    if (!folderUri || typeof folderUri.fsPath !== 'string' || typeof folderUri.scheme !== 'string') {
      throw new TypeError(`manito getPorts(folderUri) needs a vscode.Uri, got ${typeof folderUri}`);
    }
    const entry = this.servedFor(folderUri);
    if (!entry) {
      const folders = [...this.served.values()].map((s) => s.uri.fsPath).join(', ') || 'none';
      throw new Error(`Manito serves no folder holding ${folderUri.fsPath} (served: ${folders})`);
    }
    const snapshot = entry.controller.snapshot ?? await entry.controller.waitForSnapshot(WAIT_MS);
    if (!snapshot) throw new Error(`Manito does not know the ports of ${entry.uri.fsPath} yet. ${entry.controller.unavailableReason}`);
    return portsOf(snapshot);
  }

  /** The served folder that is or holds `uri`, by path (a remote window may say vscode-remote:); the deepest when folders nest. */
  private servedFor(uri: vscode.Uri): Served | undefined {
    let best: Served | undefined;
    for (const s of this.served.values()) {
      const rel = path.relative(s.uri.fsPath, uri.fsPath);
      const inside = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
      if (inside && (!best || s.uri.fsPath.length > best.uri.fsPath.length)) best = s;
    }
    return best;
  }
}
