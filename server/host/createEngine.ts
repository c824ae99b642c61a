// Builds the port engine (server/engine) for a stack. The one place the host names the engine's class.
import type { StackConfig } from '../../protocol/config';
import { leasesFile } from '../discovery/stateFolder';
import type { PortEngineApi } from '../engine/engineApi';
import { PortEngine } from '../engine/portEngine';

export interface EngineContext {
  workspace: string;
  env: NodeJS.ProcessEnv;
  onListenerError?: (error: unknown) => void;
}

export function createEngine(stack: StackConfig, context: EngineContext): PortEngineApi {
  return new PortEngine({
    stack, workspace: context.workspace, registryPath: leasesFile(context.env),
    ...(context.onListenerError ? { onListenerError: context.onListenerError } : {}),
  });
}
