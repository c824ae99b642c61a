// Everything the host pushes to an editor over its connection: log lines, manito.json
// diagnostics, status, coalesced snapshots and events; and the notifications it takes back.
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import { EventOccurred, HostStatus, SnapshotChanged, TrustChanged } from '../../protocol/lsp';
import type { ConfigState, ConfigWatcher } from '../config/loadConfig';
import type { HostLog } from './log';
import type { StackCore } from './stackCore';

export interface ClientHandlers {
  trustChanged(trusted: boolean): void;
}

export function configDiagnostics(state: ConfigState): Diagnostic[] {
  return state.problems.map((p) => ({
    severity: DiagnosticSeverity.Error,
    source: 'manito',
    message: p.path ? `${p.message} (${p.path})` : p.message,
    range: { start: { line: p.line - 1, character: p.column - 1 }, end: { line: p.endLine - 1, character: p.endColumn - 1 } },
  }));
}

/** Returns a function that stops every push (the connection itself is closed by its owner). */
export function attachClient(connection: Connection, core: StackCore, config: ConfigWatcher, log: HostLog, handlers: ClientHandlers): () => void {
  const disposers: Array<() => void> = [];
  let open = true;
  const send = (fn: () => Promise<void> | void) => {
    if (!open) return;
    try {
      void Promise.resolve(fn()).catch(() => undefined);
    } catch {
      // The client went away; the host notices through the connection's own close.
    }
  };

  disposers.push(log.addSink((level, line) => send(() => {
    if (level === 'error') connection.console.error(line);
    else if (level === 'warn') connection.console.warn(line);
    else connection.console.log(line);
  })));

  const uri = pathToFileURL(config.file).href;
  const publishDiagnostics = (state: ConfigState) => send(() => connection.sendDiagnostics({ uri, diagnostics: configDiagnostics(state) }));
  publishDiagnostics(config.state);
  disposers.push(config.onChange((state) => publishDiagnostics(state)));

  let lastStatus = '';
  disposers.push(core.onSnapshot((snapshot) => {
    send(() => connection.sendNotification(SnapshotChanged.type, snapshot));
    const { health, message } = core.overall(snapshot);
    const key = `${health}\n${message}`;
    if (key !== lastStatus) {
      lastStatus = key;
      send(() => connection.sendNotification(HostStatus.type, { health, message }));
    }
  }));
  disposers.push(core.onEvent((event) => send(() => connection.sendNotification(EventOccurred.type, event))));

  const trust = connection.onNotification(TrustChanged.type, (params) => handlers.trustChanged(Boolean(params?.trusted)));
  disposers.push(() => trust.dispose());

  return () => {
    open = false;
    for (const dispose of disposers.splice(0)) dispose();
  };
}
