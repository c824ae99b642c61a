// How a workspace's compose services join its Manito stack: each published TCP port becomes a
// service (kind from the image) beside manito.json's, which wins a name both use. Pure.
import type { ServiceConfig, StackConfig } from '../../protocol/config';
import type { ComposeServiceDefinition } from './composeModel';

/**
 * The command a compose service shows as its own: what Manito runs for it, in words. Never run by a
 * shell: ComposeLauncher starts it through the Compose CLI with the derived file.
 */
export function composeCommand(composeService: string): string {
  return `docker compose up -d ${composeService}`;
}

/** `stack` plus the compose definitions it does not name; the same object when there is nothing to add. */
export function mergeComposeServices(stack: StackConfig, definitions: readonly ComposeServiceDefinition[]): StackConfig {
  const added: Record<string, ServiceConfig> = {};
  for (const d of definitions) {
    if (Object.prototype.hasOwnProperty.call(stack.services, d.name)) continue;
    added[d.name] = { ...d.config, command: composeCommand(d.composeService) };
  }
  if (Object.keys(added).length === 0) return stack;
  return { ...stack, services: { ...stack.services, ...added } };
}
