// How a workspace's compose services join its Manito stack: each published TCP port becomes a
// service (kind from the image) beside manito.json's, which wins a name both use. An inferred stack
// (no manito.json) may describe a compose service under another name: then one of the two stays.
// An image (Redis, Postgres...) runs as compose's container, so the compose service replaces the
// inferred one; an app of the folder that compose also builds runs as the inferred process, so the
// compose service gives way. References to the name that went follow to the one that stayed. Pure.
import type { ServiceConfig, StackConfig } from '../../protocol/config';
import type { ServiceProvenance } from '../../protocol/inference';
import type { ComposeServiceDefinition } from './composeModel';

/**
 * The command a compose service shows as its own: what Manito runs for it, in words. Never run by a
 * shell: ComposeLauncher starts it through the Compose CLI with the derived file.
 */
export function composeCommand(composeService: string): string {
  return `docker compose up -d ${composeService}`;
}

interface Duplicates {
  /** Inferred service -> the compose definition that replaces it. */
  replaced: Map<string, string>;
  /** Compose service -> the inferred service that stands for it (its definitions are not added). */
  yielded: Map<string, string>;
}

function duplicates(stack: StackConfig, definitions: readonly ComposeServiceDefinition[], provenance: Readonly<Record<string, ServiceProvenance>>): Duplicates {
  const primary = new Map<string, string>();
  for (const d of definitions) if (!primary.has(d.composeService)) primary.set(d.composeService, d.name);
  const out: Duplicates = { replaced: new Map(), yielded: new Map() };
  for (const name of Object.keys(stack.services)) {
    const p = Object.prototype.hasOwnProperty.call(provenance, name) ? provenance[name] : undefined;
    const by = p?.compose === undefined ? undefined : primary.get(p.compose);
    if (by === undefined) continue;
    if (p!.composeRunsLocally) out.yielded.set(p!.compose!, name);
    else out.replaced.set(name, by);
  }
  return out;
}

function withDeps(config: ServiceConfig, self: string, rename: (name: string) => string): ServiceConfig {
  const deps = config.dependsOn?.map(rename);
  if (!deps || deps.every((d, i) => d === config.dependsOn![i])) return config;
  return { ...config, dependsOn: [...new Set(deps)].filter((d) => d !== self) };
}

/**
 * `stack` plus the compose definitions it does not name; the same object when there is nothing to
 * change. With `provenance` (an inferred stack), a compose service and its inferred twin become one.
 */
export function mergeComposeServices(stack: StackConfig, definitions: readonly ComposeServiceDefinition[], provenance?: Readonly<Record<string, ServiceProvenance>>): StackConfig {
  const { replaced, yielded } = provenance ? duplicates(stack, definitions, provenance) : { replaced: new Map<string, string>(), yielded: new Map<string, string>() };
  const yieldedNames = new Map<string, string>();
  for (const d of definitions) {
    const to = yielded.get(d.composeService);
    if (to !== undefined) yieldedNames.set(d.name, to);
  }
  const services: Record<string, ServiceConfig> = {};
  for (const [name, config] of Object.entries(stack.services)) {
    if (!replaced.has(name)) services[name] = withDeps(config, name, (d) => replaced.get(d) ?? d);
  }
  let added = 0;
  for (const d of definitions) {
    if (yieldedNames.has(d.name) || Object.prototype.hasOwnProperty.call(services, d.name)) continue;
    services[d.name] = withDeps({ ...d.config, command: composeCommand(d.composeService) }, d.name, (n) => yieldedNames.get(n) ?? n);
    added++;
  }
  if (added === 0 && replaced.size === 0) return stack;
  return { ...stack, services };
}
