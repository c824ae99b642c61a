// Publishes an Information diagnostic on each hard-coded port in the workspace's source and config
// files (the scan of server/infer), and answers the editor's code-action requests on them with the
// Quick Fix that makes the code read the environment (server/infer/quickFix). Open documents are
// scanned as the editor holds them; the rest as they are on disk. Setting
// `manito.diagnostics.hardcodedPorts` (HostInitOptions, SettingsChanged) turns it all off.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind, DiagnosticSeverity, TextDocumentSyncKind,
  type CodeAction, type CodeActionParams, type Connection, type Diagnostic, type ServerCapabilities, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { CONFIG_FILE_NAME, type StackConfig } from '../../protocol/config';
import type { ConfigState } from '../config/loadConfig';
import { isCandidateFile, readProjectFiles, SKIP_DIRS } from '../infer/projectFiles';
import { scanText, type Finding } from '../infer/portScan';
import { quickFixFor } from '../infer/quickFix';

export const DIAGNOSTIC_CODE = 'hardcoded-port';
const SOURCE = 'manito';

/** What the editor must announce for diagnostics to stay current and code actions to be asked. */
export const PORT_DIAGNOSTIC_CAPABILITIES: ServerCapabilities = {
  textDocumentSync: TextDocumentSyncKind.Full,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
};

export interface PortDiagnosticsHost {
  readonly config: { readonly state: ConfigState; onChange(listener: () => void): () => void };
}

/** A finding worth a diagnostic: a port written as a literal, not a fallback of a variable already read. */
const shown = (f: Finding) => f.kind !== 'env-default';

export class PortDiagnostics {
  private readonly open = new Map<string, string>();
  private readonly published = new Set<string>();
  private host: PortDiagnosticsHost | undefined;
  private disposeConfig: (() => void) | undefined;

  constructor(private readonly connection: Connection, private readonly workspace: string, private enabled: boolean) {
    connection.onDidOpenTextDocument(({ textDocument }) => this.changed(textDocument.uri, textDocument.text));
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const last = contentChanges[contentChanges.length - 1];
      if (last && !('range' in last)) this.changed(textDocument.uri, last.text);
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.open.delete(textDocument.uri);
      this.publishFile(textDocument.uri);
    });
    connection.onCodeAction((params) => this.codeActions(params));
  }

  /** The host is up: publish for the whole workspace, and again whenever the stack changes. */
  attach(host: PortDiagnosticsHost): void {
    this.host = host;
    this.disposeConfig = host.config.onChange(() => this.publishAll());
    this.publishAll();
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    this.publishAll();
  }

  dispose(): void {
    this.disposeConfig?.();
  }

  private relative(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const rel = path.relative(this.workspace, fileURLToPath(uri)).split(path.sep).join('/');
    if (!rel || rel.startsWith('../') || path.isAbsolute(rel)) return undefined;
    const parts = rel.split('/');
    if (parts.slice(0, -1).some((p) => SKIP_DIRS.has(p)) || !isCandidateFile(parts[parts.length - 1]!)) return undefined;
    return rel;
  }

  private changed(uri: string, text: string): void {
    this.open.set(uri, text);
    this.publishFile(uri);
  }

  private findingsOf(rel: string, text: string): Finding[] {
    return scanText(rel, text).filter(shown);
  }

  private publishAll(): void {
    const fresh = new Set<string>();
    if (this.enabled && this.host) {
      const { files } = readProjectFiles(this.workspace);
      for (const uri of this.open.keys()) {
        const rel = this.relative(uri);
        if (rel !== undefined) files.set(rel, this.open.get(uri)!);
      }
      for (const [rel, text] of files) {
        const diagnostics = this.findingsOf(rel, text).map(toDiagnostic);
        if (diagnostics.length === 0) continue;
        const uri = pathToFileURL(path.join(this.workspace, rel)).href;
        fresh.add(uri);
        this.send(uri, diagnostics);
      }
    }
    for (const uri of this.published) if (!fresh.has(uri)) this.send(uri, []);
    this.published.clear();
    for (const uri of fresh) this.published.add(uri);
  }

  private publishFile(uri: string): void {
    const rel = this.relative(uri);
    if (rel === undefined || !this.host) return;
    const text = this.open.get(uri) ?? readProjectText(this.workspace, rel);
    const diagnostics = this.enabled && text !== null ? this.findingsOf(rel, text).map(toDiagnostic) : [];
    if (diagnostics.length === 0 && !this.published.has(uri)) return;
    this.send(uri, diagnostics);
    if (diagnostics.length) this.published.add(uri);
    else this.published.delete(uri);
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    void this.connection.sendDiagnostics({ uri, diagnostics }).catch(() => undefined);
  }

  private codeActions(params: CodeActionParams): CodeAction[] {
    const rel = this.relative(params.textDocument.uri);
    if (!this.enabled || !this.host || rel === undefined) return [];
    const text = this.open.get(params.textDocument.uri) ?? readProjectText(this.workspace, rel);
    if (text === null) return [];
    const state = this.host.config.state;
    const configUri = pathToFileURL(state.path).href;
    const configText = state.exists ? this.open.get(configUri) ?? readProjectText(this.workspace, CONFIG_FILE_NAME) : null;
    // Without manito.json and with nothing inferred, a mapping starts a stack of its own, not the default's six.
    const stack: StackConfig = state.source === 'default' ? { strategy: 'minimal', environment: 'development', services: {} } : state.stack;
    const findings = this.findingsOf(rel, text);
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== SOURCE || diagnostic.code !== DIAGNOSTIC_CODE) continue;
      const f = findings.find((x) => x.line - 1 === diagnostic.range.start.line && x.portColumn - 1 === diagnostic.range.start.character);
      if (!f) continue;
      const fix = quickFixFor(f, text, stack, { text: configText });
      if ('reason' in fix) continue;
      const edits: TextEdit[] = fix.edits.map((e) => ({
        range: { start: { line: e.line - 1, character: e.startColumn - 1 }, end: { line: e.line - 1, character: e.endColumn - 1 } },
        newText: e.newText,
      }));
      if (fix.prepend.length) edits.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: fix.prepend.map((l) => `${l}\n`).join('') });
      const edit: WorkspaceEdit = { documentChanges: [{ textDocument: { uri: params.textDocument.uri, version: null }, edits }] };
      if (fix.config) {
        const whole = { range: { start: { line: 0, character: 0 }, end: endOf(configText ?? '') }, newText: fix.config.text };
        if (fix.config.created) edit.documentChanges!.push({ kind: 'create', uri: configUri, options: { ignoreIfExists: true } });
        edit.documentChanges!.push({ textDocument: { uri: configUri, version: null }, edits: [whole] });
      }
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit });
    }
    return actions;
  }
}

function toDiagnostic(f: Finding): Diagnostic {
  const start = { line: f.line - 1, character: f.portColumn - 1 };
  return {
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: DIAGNOSTIC_CODE,
    message: f.message,
    range: { start, end: { line: start.line, character: start.character + String(f.port).length } },
  };
}

function endOf(text: string): { line: number; character: number } {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}

function readProjectText(workspace: string, rel: string): string | null {
  try {
    return fs.readFileSync(path.join(workspace, rel), 'utf8');
  } catch {
    return null;
  }
}
