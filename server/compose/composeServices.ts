// How a workspace's compose services join its Manito stack: each published TCP port becomes a
// service (kind from the image) beside manito.json's, which wins a name both use. An inferred stack
// (no manito.json) may describe the same compose service under another name: there the compose
// definition wins, since it runs the container, and references to the inferred name follow it. Pure.
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

/**
 * Inferred services that describe a compose service Manito runs itself, each with the definition
 * name that replaces it (the compose service's primary port).
 */
function inferredDuplicates(stack: StackConfig, definitions: readonly ComposeServiceDefinition[], provenance: Readonly<Record<string, ServiceProvenance>>): Map<string, string> {
  const primary = new Map<string, string>();
  for (const d of definitions) if (!primary.has(d.composeService)) primary.set(d.composeService, d.name);
  const replaced = new Map<string, string>();
  for (const name of Object.keys(stack.services)) {
    const compose = Object.prototype.hasOwnProperty.call(provenance, name) ? provenance[name]?.compose : undefined;
    const by = compose === undefined ? undefined : primary.get(compose);
    if (by !== undefined) replaced.set(name, by);
  }
  return replaced;
}

/**
 * `stack` plus the compose definitions it does not name; the same object when there is nothing to
 * change. With `provenance` (an inferred stack), inferred duplicates of compose services give way.
 */
export function mergeComposeServices(stack: StackConfig, definitions: readonly ComposeServiceDefinition[], provenance?: Readonly<Record<string, ServiceProvenance>>): StackConfig {
  const replaced = provenance ? inferredDuplicates(stack, definitions, provenance) : new Map<string, string>();
  const services: Record<string, ServiceConfig> = {};
  for (const [name, config] of Object.entries(stack.services)) {
    if (replaced.has(name)) continue;
    const deps = config.dependsOn?.map((d) => replaced.get(d) ?? d);
    services[name] = deps && deps.some((d, i) => d !== config.dependsOn![i]) ? { ...config, dependsOn: [...new Set(deps)].filter((d) => d !== name) } : config;
  }
  let added = 0;
  for (const d of definitions) {
    if (Object.prototype.hasOwnProperty.call(services, d.name)) continue;
    services[d.name] = { ...d.config, command: composeCommand(d.composeService) };
    added++;
  }
  if (added === 0 && replaced.size === 0) return stack;
  return { ...stack, services };
}
