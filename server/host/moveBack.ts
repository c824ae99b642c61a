// The Move Back action: a service that was pushed off its first preferred port goes back to it once
// it is free. A service Manito runs is restarted there; one found running is not Manito's to move.
import type { ActionResult } from '../../protocol/lsp';
import type { PortEngineApi } from '../engine/engineApi';

export interface MoveBackDeps {
  engine: Pick<PortEngineApi, 'get' | 'moveBack'>;
  runnerOf(service: string): 'process' | null;
  isDetected(service: string): boolean;
  restartService(service: string): Promise<ActionResult>;
}

export async function moveBackService(service: string, deps: MoveBackDeps): Promise<ActionResult> {
  if (deps.isDetected(service)) {
    return { ok: false, message: `${service} was found running, not started by Manito; stop it and start it from Manito to move it` };
  }
  const before = deps.engine.get(service)?.port;
  let port: number;
  try {
    port = (await deps.engine.moveBack(service)).port;
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (port === before) return { ok: true, message: `${service} is already on ${port}, its first preferred port` };
  if (!deps.runnerOf(service)) return { ok: true, message: `${service} moved back to ${port}` };
  // Running on the old port: it listens where it was told at launch, so it is started again on the new one.
  const restarted = await deps.restartService(service);
  return restarted.ok ? { ok: true, message: `${service} moved back to ${port} and restarted there` } : restarted;
}
