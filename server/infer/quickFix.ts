// One hard-coded port, fixed as the editor's Quick Fix does it: the edit that makes the code read
// the environment (portFix, in the file's language) and, when the fixed code needs it, the change
// to manito.json: a service for a port no service owns, the `VITE_*` variable Vite client code
// reads. Pure: texts in, edits and manito.json's new text out.
import * as path from 'node:path';
import { applyEdits as applyJsonEdits, modify, parseTree, findNodeAtLocation, type FormattingOptions } from 'jsonc-parser';
import type { ServiceConfig, StackConfig } from '../../protocol/config';
import { fixContextOf } from './fixContext';
import { serviceName } from './inferStack';
import { planFixes, type PortEdit } from './portFix';
import type { Finding } from './portScan';

export interface ConfigFile {
  /** manito.json's text, or null when there is none (the stack is inferred or the default). */
  text: string | null;
}

export interface QuickFix {
  title: string;
  /** Edits in the finding's own file. */
  edits: PortEdit[];
  /** Lines added at the top of the file (`import os`). */
  prepend: string[];
  /** manito.json's whole new text, when the fix needs a mapping there. */
  config?: { text: string; created: boolean };
}

/** Kinds where the code itself listens on the port: a service of its own when no service has the port. */
const LISTENS = new Set<Finding['kind']>(['listen', 'const-port', 'vite-port', 'compose-port']);
const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' };

/** The service a port-less listener in `file` becomes: named after its folder, or the file itself at the root. */
function newService(f: Finding, stack: StackConfig): [string, ServiceConfig] {
  const dir = path.posix.dirname(f.path);
  const wanted = dir === '.' ? path.posix.basename(f.path).replace(/\.[^.]+$/, '') : path.posix.basename(dir);
  const name = serviceName(wanted, new Set(Object.keys(stack.services)));
  const service: ServiceConfig = {
    preferred: [f.port, f.port + 1, f.port + 2].filter((p) => p <= 65535),
    kind: f.kind === 'vite-port' ? 'vite' : 'http',
    description: `hard-coded in ${f.path}:${f.line}`,
  };
  if (dir !== '.') service.cwd = dir;
  return [name, service];
}

export function quickFixFor(f: Finding, fileText: string, stack: StackConfig, config: ConfigFile): QuickFix | { reason: string } {
  let served = stack;
  let added: [string, ServiceConfig] | undefined;
  if (!fixContextOf(stack).serviceForPort(f.port)) {
    if (!LISTENS.has(f.kind)) return { reason: `no service of the stack has port ${f.port}` };
    added = newService(f, stack);
    served = { ...stack, services: { ...stack.services, [added[0]]: added[1] } };
  }
  const plan = planFixes([f], new Map([[f.path, fileText]]), fixContextOf(served));
  const edit = plan.edits[0];
  // A new file (CRA's src/setupProxy.js) is left to `manito scan --fix`, which sees whether one exists.
  if (!edit && plan.create[0]) return { reason: `\`manito scan --fix\` writes ${plan.create[0].path} for it` };
  if (!edit) return { reason: plan.skipped[0]?.reason ?? 'nothing to rewrite' };
  const needs = plan.env;
  let change: QuickFix['config'];
  if (added || needs.length) {
    if (config.text === null) {
      // No manito.json yet: the stack served now, with the mapping, becomes one.
      const written: StackConfig = JSON.parse(JSON.stringify(served)) as StackConfig;
      for (const n of needs) {
        const s = written.services[n.service];
        if (s) s.env = { ...(s.env ?? {}), [n.variable]: n.value };
      }
      change = { text: `${JSON.stringify(written, null, 2)}\n`, created: true };
    } else {
      let text = config.text;
      if (added) text = applyJsonEdits(text, modify(text, ['services', added[0]], added[1], { formattingOptions: FORMAT }));
      for (const n of needs) {
        const root = parseTree(text);
        if (root && findNodeAtLocation(root, ['services', n.service, 'env', n.variable])) continue;
        text = applyJsonEdits(text, modify(text, ['services', n.service, 'env', n.variable], n.value, { formattingOptions: FORMAT }));
      }
      if (text !== config.text) change = { text, created: false };
    }
  }
  const m = /process\.env\.(\w+)|import\.meta\.env\.(\w+)|os\.environ\.get\(["'](\w+)|\$\{(\w+):-/.exec(edit.newText);
  const variable = m?.slice(1).find((g) => g !== undefined) ?? 'the environment';
  const title = `Read port ${f.port} from ${variable}${change ? (change.created ? ' (and save manito.json with it)' : ' (and add it to manito.json)') : ''}`;
  return { title, edits: [edit], prepend: plan.prepend[f.path] ?? [], ...(change ? { config: change } : {}) };
}
