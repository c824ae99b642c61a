// What a compose service's port speaks, from its image and container port: the image family
// (redis, postgres, mysql, mongo, prometheus) on the family's own port, HTTP on the ports web
// servers use, plain TCP otherwise. Manito has no mysql or mongo kind yet: those probe as TCP.
import type { ServiceKind } from '../../protocol/config';

export type ImageFamily = 'redis' | 'postgres' | 'mysql' | 'mongo' | 'prometheus' | 'http';

/** Image names (the last path segment, tag and digest removed) by family. */
const FAMILIES: ReadonlyArray<[ImageFamily, RegExp]> = [
  ['redis', /^(redis|redis-stack(-server)?|valkey|keydb|dragonfly)$/],
  ['postgres', /^(postgres|postgresql|postgis|timescaledb(-ha)?|pgvector)$/],
  ['mysql', /^(mysql|mariadb|percona(-server)?)$/],
  ['mongo', /^(mongo|mongodb(-community-server)?)$/],
  ['prometheus', /^prometheus$/],
  ['http', /^(nginx|httpd|caddy|traefik|grafana|jaeger|adminer|pgadmin4|mailhog|mailpit|wiremock|minio|keycloak)$/],
];

/** The port each family listens on inside its container by default. */
const FAMILY_PORT: Record<Exclude<ImageFamily, 'http'>, number> = { redis: 6379, postgres: 5432, mysql: 3306, mongo: 27017, prometheus: 9090 };
const FAMILY_KIND: Record<ImageFamily, ServiceKind> = { redis: 'redis', postgres: 'postgres', mysql: 'tcp', mongo: 'tcp', prometheus: 'prometheus', http: 'http' };

/** Container ports that web servers and dev servers use. */
const HTTP_PORTS = new Set([80, 3000, 4000, 5000, 5173, 8000, 8080, 8081, 8888, 9000]);

/** `ghcr.io/org/redis:7-alpine@sha256:...` → `redis`. */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  return last.split(':')[0]!.toLowerCase();
}

export function imageFamily(image: string | null): ImageFamily | null {
  if (!image) return null;
  const name = imageName(image);
  return FAMILIES.find(([, pattern]) => pattern.test(name))?.[0] ?? null;
}

/** The kind Manito probes `containerPort` of this image as. */
export function portKind(family: ImageFamily | null, containerPort: number): ServiceKind {
  if (family === 'http') return 'http';
  if (family && FAMILY_PORT[family] === containerPort) return FAMILY_KIND[family];
  return HTTP_PORTS.has(containerPort) ? 'http' : 'tcp';
}

/** The port of the image's own protocol when the service publishes it, else the first one. */
export function primaryIndex(family: ImageFamily | null, containerPorts: readonly number[]): number {
  if (!family || family === 'http') return 0;
  const own = containerPorts.indexOf(FAMILY_PORT[family]);
  return own < 0 ? 0 : own;
}
