// The host's side of a workspace's compose file: its services merged into the stack the engine
// allocates, a launcher that starts them through the Compose CLI, and a watch on the file and the
// .env beside it. A change reloads the stack; a broken file is logged with its line and the last
// good services stay served. Problems never stop the host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackConfig } from '../../protocol/config';
import type { ServiceProvenance } from '../../protocol/inference';
import type { Launcher } from '../launch/launcher';
import { COMPOSE_FILE_NAMES } from './composeFile';
import { ComposeLauncher, type ComposeLauncherOptions } from './composeLauncher';
import type { ComposeServiceDefinition } from './composeModel';
import type { ComposeRunner } from './composeRunner';
import { mergeComposeServices } from './composeServices';
import { loadComposeStack, portPlan, type ComposeLoad } from './composeStack';
import { onPath } from '../infer/toolsOnPath';

export interface OpenHostComposeOptions {
  workspace: string;
  env: NodeJS.ProcessEnv;
  log: { info(line: string): void; warn(line: string): void };
  /** The state folder for derived files; default the user's (MANITO_STATE_DIR). */
  stateDir?: string;
  /** Wait after a change before reading (editors write in steps). Default 150 ms. */
  debounceMs?: number;
  /** Whether a Compose CLI is installed; default: `docker` or `docker-compose` on PATH. */
  composeInstalled?: () => boolean;
}

/** The files whose change changes the compose services: the compose file names and the .env Compose reads. */
const WATCHED = new Set([...COMPOSE_FILE_NAMES, '.env']);

export class HostCompose {
  /** The compose services served now: the last file that read well (none before one did). */
  private definitions: ComposeServiceDefinition[] = [];
  private runner: ComposeRunner | undefined;
  private composeLauncher: ComposeLauncher | undefined;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: OpenHostComposeOptions) {
    this.reload();
  }

  /** The compose services now, as Manito service definitions. */
  get services(): readonly ComposeServiceDefinition[] { return this.definitions; }

  get projectName(): string | undefined { return this.runner?.projectName; }

  /**
   * The stack with the compose services (manito.json's names win; an inferred duplicate gives way).
   * An inferred stack on a machine without Docker keeps running compose's image services with the
   * local commands inference gave them (redis-server, postgres): a container it cannot start would
   * turn a stack that works into one that fails. manito.json's stack gets them, and a start says what to install.
   */
  extend = (stack: StackConfig, provenance?: Readonly<Record<string, ServiceProvenance>>): StackConfig => {
    if (provenance && !this.composeInstalled()) return stack;
    return mergeComposeServices(stack, this.definitions, provenance);
  };

  private composeInstalled(): boolean {
    const { composeInstalled, env } = this.options;
    return composeInstalled ? composeInstalled() : onPath('docker', env.PATH ?? '') || onPath('docker-compose', env.PATH ?? '');
  }

  /** The launcher for compose services, `base` for every other one. */
  launcher(base: Launcher, portOf: (service: string) => number | undefined): Launcher {
    this.composeLauncher = new ComposeLauncher({
      base, runner: this.runnerOrAbsent(), definitions: this.definitions,
      plan: () => portPlan(this.definitions, portOf), log: (line) => this.options.log.info(line),
    });
    return this.composeLauncher;
  }

  /** Called after a reload changed the compose services (the host then re-serves its stack). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the file again; returns whether the served services changed. Never throws. */
  reload(): boolean {
    const { log } = this.options;
    let load: ComposeLoad;
    try {
      load = loadComposeStack(this.options.workspace, this.options.env, this.options.stateDir, this.runner);
    } catch (error) {
      log.warn(`Reading the compose file failed: ${(error as Error).message}; the compose services read before stay`);
      return false;
    }
    if (!load.found) return this.serve([], load);
    for (const p of load.problems) log.warn(`${load.file}:${p.line}:${p.column}: ${p.message}`);
    if (!load.stack) {
      if (this.definitions.length) log.warn(`${load.file} cannot be read; Manito keeps serving ${this.definitions.map((d) => d.name).join(', ')} as read before`);
      return false;
    }
    this.runner = load.stack.runner;
    if (load.stack.definitions.length === 0) log.info(`${load.file}: no service publishes a TCP port; Manito leaves it to you`);
    else log.info(`${load.file}: ${load.stack.definitions.map((d) => d.name).join(', ')} run as Manito services (Compose project ${this.runner.projectName})`);
    return this.serve(load.stack.definitions, load);
  }

  private serve(definitions: ComposeServiceDefinition[], load: ComposeLoad): boolean {
    if (JSON.stringify(definitions) === JSON.stringify(this.definitions)) return false;
    if (!load.found && this.definitions.length) this.options.log.info('The compose file is gone: its services leave the stack');
    this.definitions = definitions;
    if (this.runner) this.composeLauncher?.update(definitions, this.runner);
    for (const listener of this.listeners) listener();
    return true;
  }

  /** Until a compose file reads well there is no runner; no definition then routes a launch to it. */
  private runnerOrAbsent(): ComposeLauncherOptions['runner'] {
    if (this.runner) return this.runner;
    const none = async (): Promise<never> => { throw new Error('No compose file has been read'); };
    return { start: none, stop: none, removeNetworks: async () => undefined, containers: async () => [], external: async () => [] };
  }

  /** Watches the folder (editors save by rename; the file may appear later). */
  watch(onError: (error: Error) => void): void {
    if (this.watcher) return;
    try {
      this.watcher = fs.watch(this.options.workspace, { persistent: false }, (_event, name) => {
        if (name !== null && !WATCHED.has(path.basename(name.toString()))) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.reload();
        }, this.options.debounceMs ?? 150);
        this.timer.unref();
      });
      this.watcher.on('error', onError);
    } catch (error) {
      onError(error as Error);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
    this.listeners.clear();
  }
}
