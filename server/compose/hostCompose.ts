// The host's side of a workspace's compose file: read once at start, its services merged into the
// stack the engine allocates, and a launcher that starts them through the Compose CLI. Problems in
// the file are logged with their line; they never stop the host.
import type { StackConfig } from '../../protocol/config';
import type { Launcher } from '../launch/launcher';
import { ComposeLauncher } from './composeLauncher';
import { mergeComposeServices } from './composeServices';
import { loadComposeStack, portPlan, type ComposeStack } from './composeStack';

export interface HostCompose {
  stack: ComposeStack;
  /** The stack with the compose services manito.json does not name. */
  extend(stack: StackConfig): StackConfig;
  /** `base` for every other service. */
  launcher(base: Launcher, portOf: (service: string) => number | undefined): ComposeLauncher;
}

export interface OpenHostComposeOptions {
  workspace: string;
  env: NodeJS.ProcessEnv;
  log: { info(line: string): void; warn(line: string): void };
}

export function openHostCompose(options: OpenHostComposeOptions): HostCompose | undefined {
  let load: ReturnType<typeof loadComposeStack>;
  try {
    load = loadComposeStack(options.workspace, options.env);
  } catch (error) {
    options.log.warn(`Reading the compose file failed: ${(error as Error).message}`);
    return undefined;
  }
  if (!load.found) return undefined;
  for (const p of load.problems) options.log.warn(`${load.file}:${p.line}:${p.column}: ${p.message}`);
  const stack = load.stack;
  if (!stack) return undefined;
  if (stack.definitions.length === 0) {
    options.log.info(`${load.file}: no service publishes a TCP port; Manito leaves it to you`);
    return undefined;
  }
  options.log.info(`${load.file}: ${stack.definitions.map((d) => d.name).join(', ')} run as Manito services (Compose project ${stack.runner.projectName})`);
  return {
    stack,
    extend: (s) => mergeComposeServices(s, stack.definitions),
    launcher: (base, portOf) => new ComposeLauncher({
      base, runner: stack.runner, definitions: stack.definitions, plan: () => portPlan(stack.definitions, portOf), log: (line) => options.log.info(line),
    }),
  };
}
