// Starts and stops compose services for one workspace under a Compose project of Manito's own
// (never the user's), from the derived file in the state folder, with the user's folder as the
// project directory so relative paths, .env and build contexts mean what they mean to the user.
// Stop removes only this project's containers; volumes and the user's own containers stay.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { detectComposeCli, failureTail, runCommand, type ComposeCli, type Exec } from './composeCli';
import type { ComposeProject } from './composeModel';
import { derivedComposeText, MANITO_LABELS, type PortPlan } from './derivedFile';
import { DockerEngine, type ContainerSummary } from './dockerEngine';
import type { Variables } from './interpolate';

export interface ComposeRunnerOptions {
  project: ComposeProject;
  workspace: string;
  /** Manito's state folder: the derived file goes to `<stateDir>/compose/<project name>.yaml`. */
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** What `${...}` in ports means (projectVariables of the compose file's folder). */
  vars: Variables;
  /** Detected on first use when not given. */
  cli?: ComposeCli;
  exec?: Exec;
  docker?: DockerEngine;
  /** For `up` (it may pull or build images). Default 10 min. */
  upTimeoutMs?: number;
}

export interface StartedContainer {
  service: string;
  /** What the tree shows. */
  containerName: string;
  containerId: string;
}

/** `manito-<folder>-<8 hex>`: Compose's rules (lowercase, [a-z0-9_-]), unique per workspace path. */
export function composeProjectName(workspace: string): string {
  const resolved = path.resolve(workspace);
  const base = path.basename(resolved).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30);
  const hash = crypto.createHash('sha256').update(resolved).digest('hex').slice(0, 8);
  return `manito-${base ? `${base}-` : ''}${hash}`;
}

/** Started by Manito: our project and our owner label, both. */
export function isOurs(container: ContainerSummary, projectName: string): boolean {
  return container.labels['com.docker.compose.project'] === projectName && container.labels[MANITO_LABELS.owner] === 'manito';
}

export class ComposeRunner {
  readonly projectName: string;
  readonly derivedFile: string;
  private readonly docker: DockerEngine;
  private readonly exec: Exec;
  private cli: Promise<ComposeCli> | undefined;

  /** The file changed and read well: later starts use its services (running containers stay ours by their labels). */
  setProject(project: ComposeProject, vars: Variables): void {
    this.options = { ...this.options, project, vars };
  }

  constructor(private options: ComposeRunnerOptions) {
    this.projectName = composeProjectName(options.workspace);
    this.derivedFile = path.join(options.stateDir, 'compose', `${this.projectName}.yaml`);
    this.docker = options.docker ?? new DockerEngine(options.env);
    this.exec = options.exec ?? runCommand;
  }

  /** The CLI and a daemon, or one sentence saying what to install or start. */
  async ready(): Promise<ComposeCli> {
    this.cli ??= (async () => {
      if (this.options.cli) return this.options.cli;
      const found = await detectComposeCli(this.exec, this.options.env);
      if ('unavailable' in found) throw new Error(found.unavailable);
      return found;
    })();
    // A failed detection is not cached: the user may install Compose and press Start again.
    const cli = await this.cli.catch((error: unknown) => {
      this.cli = undefined;
      throw error;
    });
    await this.docker.ping();
    return cli;
  }

  /**
   * Starts `service` (and the services it depends_on, as Compose does) with `plan`'s host ports,
   * which should hold every compose service Manito allocated. Resolves with its container.
   */
  async start(service: string, plan: PortPlan): Promise<StartedContainer> {
    if (!this.options.project.services.some((s) => s.name === service)) throw new Error(`${this.options.project.document.file} has no service "${service}"`);
    const cli = await this.ready();
    await this.writeDerived(plan);
    await this.compose(cli, ['up', '-d', service], this.options.upTimeoutMs ?? 600_000);
    const containers = await this.containers(service);
    const container = containers.find((c) => c.state === 'running') ?? containers[0];
    if (!container) throw new Error(`docker compose up reported success, but no container of ${service} in project ${this.projectName} exists`);
    return { service, containerName: container.name, containerId: container.id };
  }

  /**
   * Stops and removes `service`'s containers that carry Manito's labels (the proof they are ours),
   * by id through the Engine API: no Compose CLI involved, so it is the same whatever Compose is
   * installed. Volumes stay; the user's own containers of the same file are never touched.
   */
  async stop(service: string): Promise<void> {
    for (const c of await this.containers(service)) await this.docker.removeContainer(c.id);
  }

  /** Removes every container Manito started for this workspace, then its project's networks (never volumes). */
  async stopAll(): Promise<void> {
    for (const c of await this.containers()) await this.docker.removeContainer(c.id);
    await this.removeNetworks();
  }

  /** Removes the networks of Manito's project; one still in use (a container starting) stays: Docker refuses. */
  async removeNetworks(): Promise<void> {
    for (const id of await this.docker.networks({ 'com.docker.compose.project': this.projectName })) await this.docker.removeNetwork(id);
  }

  /** The containers of `service` (or of every service) that Manito started for this workspace: by label, never by port. */
  containers(service?: string): Promise<ContainerSummary[]> {
    return this.docker.containers({
      'com.docker.compose.project': this.projectName,
      [MANITO_LABELS.owner]: 'manito',
      [MANITO_LABELS.workspace]: path.resolve(this.options.workspace),
      ...(service ? { 'com.docker.compose.service': service } : {}),
    });
  }

  /**
   * Containers of the same compose file that Manito did not start (the user's own `compose up`):
   * Compose labels them with the project's folder; they lack Manito's labels or run under another project.
   */
  async external(service?: string): Promise<ContainerSummary[]> {
    const list = await this.docker.containers({
      'com.docker.compose.project.working_dir': this.options.project.document.dir,
      ...(service ? { 'com.docker.compose.service': service } : { 'com.docker.compose.service': true }),
    });
    return list.filter((c) => !isOurs(c, this.projectName));
  }

  private async compose(cli: ComposeCli, args: string[], timeoutMs: number): Promise<void> {
    const full = [...cli.prefix, '-f', this.derivedFile, '--project-directory', this.options.project.document.dir, '-p', this.projectName, ...args];
    const result = await this.exec(cli.command, full, { cwd: this.options.project.document.dir, env: this.options.env, timeoutMs });
    if (result.code !== 0 || result.error) {
      const shown = [cli.command, ...cli.prefix, args.join(' ')].join(' ');
      throw new Error(`${shown} failed for project ${this.projectName}: ${failureTail(result)}`);
    }
  }

  /** Atomically, so a Compose run never reads half a file; folder and file are the user's alone. */
  private async writeDerived(plan: PortPlan): Promise<void> {
    const text = derivedComposeText(this.options.project, plan, { workspace: path.resolve(this.options.workspace), project: this.projectName }, this.options.vars);
    await fs.mkdir(path.dirname(this.derivedFile), { recursive: true, mode: 0o700 });
    const temp = `${this.derivedFile}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temp, text, { mode: 0o600 });
      await fs.rename(temp, this.derivedFile);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  }
}
