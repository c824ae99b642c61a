// The compose file Manito starts services from: the user's file, copied, with every published TCP
// port replaced by the one Manito allocated (on loopback), labels that mark the containers as
// Manito's, and no fixed container_name (it would collide with the user's own `compose up`). The
// user's file is never written; this one lives in Manito's state folder.
import * as path from 'node:path';
import type { Document } from 'yaml';
import { yaml } from './yamlLib';
import type { ComposeProject } from './composeModel';
import { parsePortEntry, publishedSpec } from './composePorts';
import type { Variables } from './interpolate';

/** Host port per container port, per compose service: what Manito allocated. */
export type PortPlan = ReadonlyMap<string, ReadonlyMap<number, number>>;

export const MANITO_LABELS = {
  owner: 'io.manito.owner',
  workspace: 'io.manito.workspace',
  service: 'io.manito.compose-service',
} as const;

export interface DerivedIdentity {
  workspace: string;
  /** The Compose project name Manito starts under (never the user's own). */
  project: string;
}

/**
 * The ports a service publishes when Manito starts it: allocated TCP ports on 127.0.0.1; UDP and
 * SCTP entries as written (Manito allocates TCP only); TCP ports without an allocation dropped,
 * so nothing Manito starts takes a host port Manito did not give it.
 */
function derivedPorts(entries: unknown[], allocated: ReadonlyMap<number, number> | undefined, vars: Variables): unknown[] {
  const out: unknown[] = [];
  const done = new Set<number>();
  for (const entry of entries) {
    const parsed = parsePortEntry(entry, vars);
    if (!parsed.ok) continue;
    const { port } = parsed;
    if (port.protocol !== 'tcp') {
      out.push(entry);
      continue;
    }
    const host = allocated?.get(port.container);
    if (host === undefined || done.has(port.container)) continue;
    done.add(port.container);
    out.push(publishedSpec(host, port));
  }
  return out;
}

function derivedLabels(existing: unknown, add: Record<string, string>): unknown {
  if (Array.isArray(existing)) {
    const kept = existing.filter((l) => typeof l !== 'string' || !Object.keys(add).some((k) => l.startsWith(`${k}=`)));
    return [...kept, ...Object.entries(add).map(([k, v]) => `${k}=${v}`)];
  }
  const map = typeof existing === 'object' && existing !== null ? { ...(existing as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(add)) map[k] = v;
  return map;
}

/** The derived file's text for `project` with `plan`'s ports. */
export function derivedComposeText(project: ComposeProject, plan: PortPlan, identity: DerivedIdentity, vars: Variables): string {
  const { isMap, isSeq, Scalar } = yaml();
  const { document } = project;
  const doc = document.doc.clone() as Document;
  const services = (document.data as { services?: Record<string, Record<string, unknown>> }).services ?? {};
  for (const [name, service] of Object.entries(services)) {
    if (typeof service !== 'object' || service === null || !isMap(doc.getIn(['services', name], true))) continue;
    // Values are read resolved (merge keys applied) and written on the service itself, which wins over a merge.
    const ports = Array.isArray(service.ports) ? derivedPorts(service.ports, plan.get(name), vars) : [];
    if (ports.length) doc.setIn(['services', name, 'ports'], doc.createNode(ports));
    else if (service.ports !== undefined) doc.setIn(['services', name, 'ports'], doc.createNode([]));
    doc.setIn(['services', name, 'labels'], doc.createNode(derivedLabels(service.labels, {
      [MANITO_LABELS.owner]: 'manito', [MANITO_LABELS.workspace]: identity.workspace, [MANITO_LABELS.service]: name,
    })));
    if (service.container_name !== undefined) doc.deleteIn(['services', name, 'container_name']);
    // `extends.file` is relative to the file that names it, which now lives elsewhere.
    const ext = doc.getIn(['services', name, 'extends', 'file']);
    if (typeof ext === 'string' && !path.isAbsolute(ext)) doc.setIn(['services', name, 'extends', 'file'], path.resolve(path.dirname(document.file), ext));
  }
  const include = doc.get('include', true);
  if (isSeq(include)) {
    // Compose v2's `include:` entries are relative to this file too.
    include.items.forEach((item, i) => {
      const value = item instanceof Scalar ? item.value : undefined;
      if (typeof value === 'string' && !path.isAbsolute(value)) include.set(i, path.resolve(path.dirname(document.file), value));
    });
  }
  doc.commentBefore = [
    ` Written by Manito from ${document.file} for project ${identity.project}; rewritten before each start.`,
    ' Published ports are the ones Manito allocated; edit the original file, not this one.',
    ...(doc.commentBefore ? [doc.commentBefore] : []),
  ].join('\n');
  // Text Manito writes is double-quoted: Compose v1 reads YAML 1.1, where a plain `yes` or `22:22`
  // is not a string. The user's own nodes keep the style they were written in.
  return doc.toString({ lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}
