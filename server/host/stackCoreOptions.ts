// What a StackCore is given (stackCore.ts): the config, the engine factory, health, the log and the
// ownership proofs detection needs, plus the timings tests shorten.
import type { StackConfig } from '../../protocol/config';
import type { HostInfo } from '../../protocol/model';
import type { ConfigWatcher } from '../config/loadConfig';
import type { detectRunning } from '../detect/detectRunning';
import type { PortEngineApi } from '../engine/engineApi';
import type { HealthMonitor } from '../health/healthMonitor';
import type { ProcessRecords } from '../proc/processRecords';
import type { NamedUrlMap } from '../proxy/namedUrlViews';
import type { HostLog } from './log';

export interface StackCoreOptions {
  workspace: string;
  config: ConfigWatcher;
  /** Builds the engine for a stack; called once at start. */
  createEngine: (stack: StackConfig) => PortEngineApi;
  health: HealthMonitor;
  log: HostLog;
  hostInfo: () => HostInfo;
  detect?: typeof detectRunning;
  /** What Manito started in this workspace (proof for adoption, rule (a)). */
  records?: ProcessRecords;
  /** Ports listening on the machine now (default: /proc). */
  listening?: () => Set<number>;
  healIntervalMs?: number;
  /** How often the holders that pushed services off their preferred ports are looked at. Default 1000. */
  holderWatchMs?: number;
  coalesceMs?: number;
  /** The named URLs the user's proxy gives this workspace's services (server/proxy/namedUrlViews.ts). */
  namedUrls?: () => NamedUrlMap;
}
