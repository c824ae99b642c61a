// A compose file's services as Manito sees them: every service that publishes TCP ports becomes
// Manito service definitions (one per published port; kind from the image), with the container
// port and the host port the file asked for. A problem in one service leaves the others usable.
import type { ServiceConfig, ServiceKind } from '../../protocol/config';
import { PORTS_DATA_KEYS } from '../../protocol/http';
import { COMPOSE_LIMITS, type ComposeDocument, type ComposeProblem } from './composeFile';
import { parsePortEntry, type ComposePort } from './composePorts';
import { imageFamily, portKind, primaryIndex, type ImageFamily } from './imageKind';
import { interpolate, type Variables } from './interpolate';

export interface ComposeService {
  name: string;
  image: string | null;
  family: ImageFamily | null;
  /** Published TCP ports Manito allocates, the primary first (the image's own port when published). */
  ports: ComposePort[];
  /** `depends_on`, list or map form. */
  dependsOn: string[];
}

export interface ComposeProject {
  document: ComposeDocument;
  services: ComposeService[];
  problems: ComposeProblem[];
}

/** One Manito service: a published port of a compose service. */
export interface ComposeServiceDefinition {
  /** The compose service's name for its primary port, `<service>-<container port>` for the others. */
  name: string;
  composeService: string;
  containerPort: number;
  kind: ServiceKind;
  /** What manito.json would say for it: the published port (or the container port) preferred. */
  config: ServiceConfig;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function dependsOnOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((d): d is string => typeof d === 'string');
  if (isMap(raw)) return Object.keys(raw);
  return [];
}

/** Why Docker would ignore or refuse this service's published ports, if it would. */
function unpublishable(name: string, s: Record<string, unknown>): string | undefined {
  const mode = typeof s.network_mode === 'string' ? s.network_mode : '';
  if (mode === 'host') return `service ${name} uses network_mode: host, so its ports are the host's own; Manito does not manage them`;
  if (/^(service|container):/.test(mode)) return `service ${name} shares the network of ${mode.split(':').slice(1).join(':')}; its ports are published there`;
  const deploy = isMap(s.deploy) ? s.deploy : {};
  const replicas = Number(s.scale ?? deploy.replicas ?? 1);
  if (replicas > 1) return `service ${name} runs ${replicas} replicas, which cannot share one published host port`;
  return undefined;
}

function readService(document: ComposeDocument, name: string, raw: unknown, vars: Variables, problems: ComposeProblem[]): ComposeService | undefined {
  const where = (...keys: (string | number)[]) => document.positionOf(['services', name, ...keys]);
  if (!isMap(raw)) {
    problems.push({ message: `service ${name} is not a mapping`, service: name, ...where() });
    return undefined;
  }
  let image: string | null = null;
  if (typeof raw.image === 'string') {
    try {
      image = interpolate(raw.image, vars);
    } catch (error) {
      problems.push({ message: `service ${name}: image: ${(error as Error).message}`, service: name, ...where('image') });
    }
  }
  const family = imageFamily(image);
  const entries = raw.ports === undefined ? [] : raw.ports;
  if (!Array.isArray(entries)) {
    problems.push({ message: `service ${name}: ports must be a list`, service: name, ...where('ports') });
    return undefined;
  }
  if (entries.length > COMPOSE_LIMITS.portsPerService) {
    problems.push({ message: `service ${name} publishes ${entries.length} ports, more than the ${COMPOSE_LIMITS.portsPerService} Manito manages`, service: name, ...where('ports') });
    return undefined;
  }
  const ports: ComposePort[] = [];
  for (const [i, entry] of entries.entries()) {
    const parsed = parsePortEntry(entry, vars);
    if (!parsed.ok) {
      problems.push({ message: `service ${name}, ports[${i}]: ${parsed.message}`, service: name, ...where('ports', i) });
      return undefined;
    }
    if (parsed.port.protocol !== 'tcp') continue;
    if (ports.some((p) => p.container === parsed.port.container)) {
      problems.push({ message: `service ${name}, ports[${i}]: container port ${parsed.port.container} is published twice; Manito publishes it once`, service: name, ...where('ports', i) });
      continue;
    }
    ports.push(parsed.port);
  }
  if (ports.length) {
    const why = unpublishable(name, raw);
    if (why) {
      problems.push({ message: why, service: name, ...where() });
      return undefined;
    }
  }
  const primary = primaryIndex(family, ports.map((p) => p.container));
  if (primary > 0) ports.unshift(...ports.splice(primary, 1));
  return { name, image, family, ports, dependsOn: dependsOnOf(raw.depends_on) };
}

/** The services of a parsed compose file; `vars` substitutes `${...}` in ports and images. */
export function composeProject(document: ComposeDocument, vars: Variables): ComposeProject {
  const problems: ComposeProblem[] = [];
  const services: ComposeService[] = [];
  const data = document.data as Record<string, unknown>;
  if (!isMap(data.services)) {
    problems.push({ message: `${document.file} has no "services" mapping`, ...document.positionOf(['services']) });
    return { document, services, problems };
  }
  const names = Object.keys(data.services);
  if (names.length > COMPOSE_LIMITS.services) {
    problems.push({ message: `${document.file} has ${names.length} services, more than the ${COMPOSE_LIMITS.services} Manito reads`, ...document.positionOf(['services']) });
    return { document, services, problems };
  }
  for (const name of names) {
    const service = readService(document, name, data.services[name], vars, problems);
    if (service) services.push(service);
  }
  return { document, services, problems };
}

/** The Manito services of a project: one per published TCP port, named so that none collide. */
export function composeDefinitions(project: ComposeProject): ComposeServiceDefinition[] {
  const managed = new Set(project.services.filter((s) => s.ports.length).map((s) => s.name));
  // `environment` and `urls` are /api/ports keys, so no service may be called that (as manito scan does).
  const primary = (service: string) => (PORTS_DATA_KEYS.includes(service) ? `${service}-service` : service);
  const names = new Set([...managed].map(primary));
  const out: ComposeServiceDefinition[] = [];
  for (const s of project.services) {
    s.ports.forEach((port, i) => {
      let name = i === 0 ? primary(s.name) : `${s.name}-${port.container}`;
      // A second port's name may be taken by another compose service: number it on.
      for (let n = 2; i > 0 && names.has(name); n++) name = `${s.name}-${port.container}-${n}`;
      names.add(name);
      const kind = portKind(s.family, port.container);
      const config: ServiceConfig = {
        preferred: [port.published ?? port.container],
        kind,
        description: `docker compose service ${s.name}${s.image ? ` (${s.image})` : ''}, container port ${port.container}`,
      };
      const deps = s.dependsOn.filter((d) => managed.has(d)).map(primary);
      if (deps.length) config.dependsOn = deps;
      out.push({ name, composeService: s.name, containerPort: port.container, kind, config });
    });
  }
  return out;
}
