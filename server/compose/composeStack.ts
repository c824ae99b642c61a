// The one call the host makes for a workspace's compose file: find and read it, turn its services
// into Manito service definitions, and build the runner; plus the port plan the runner needs from
// the engine's assignments. What is wrong comes back as problems, never as an exception.
import { stateDir as defaultStateDir } from '../discovery/stateFolder';
import { findComposeFile, readComposeFile, type ComposeProblem } from './composeFile';
import { composeDefinitions, composeProject, type ComposeProject, type ComposeServiceDefinition } from './composeModel';
import { ComposeRunner } from './composeRunner';
import type { PortPlan } from './derivedFile';
import { projectVariables } from './interpolate';

export interface ComposeStack {
  file: string;
  project: ComposeProject;
  /** One per published TCP port; add their `config` to the stack the engine allocates. */
  definitions: ComposeServiceDefinition[];
  /** Of the file (then nothing else is set) or of single services (the others are usable). */
  problems: ComposeProblem[];
  runner: ComposeRunner;
}

export type ComposeLoad = { found: false } | { found: true; file: string; problems: ComposeProblem[]; stack?: ComposeStack };

/** `runner`: the one of an earlier load, given the new project (the Compose project name is the workspace's, so it stays). */
export function loadComposeStack(workspace: string, env: NodeJS.ProcessEnv = process.env, stateDir = defaultStateDir(env), runner?: ComposeRunner): ComposeLoad {
  const file = findComposeFile(workspace);
  if (!file) return { found: false };
  const read = readComposeFile(file, workspace);
  if (!read.ok) return { found: true, file, problems: read.problems };
  const vars = projectVariables(workspace, env);
  const project = composeProject(read.document, vars);
  if (runner) runner.setProject(project, vars);
  const used = runner ?? new ComposeRunner({ project, workspace, stateDir, env, vars });
  return { found: true, file, problems: project.problems, stack: { file, project, definitions: composeDefinitions(project), problems: project.problems, runner: used } };
}

/** Host port per container port per compose service, from the engine's port of each definition. */
export function portPlan(definitions: readonly ComposeServiceDefinition[], portOf: (service: string) => number | undefined): PortPlan {
  const plan = new Map<string, Map<number, number>>();
  for (const d of definitions) {
    const port = portOf(d.name);
    if (port === undefined) continue;
    let ports = plan.get(d.composeService);
    if (!ports) plan.set(d.composeService, ports = new Map());
    ports.set(d.containerPort, port);
  }
  return plan;
}
