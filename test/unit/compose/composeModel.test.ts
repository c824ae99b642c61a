// Compose services as Manito services: kinds from images, one definition per published TCP port,
// problems that leave the rest usable, and the derived file that never edits the user's.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseComposeText } from '../../../server/compose/composeFile';
import { composeDefinitions, composeProject } from '../../../server/compose/composeModel';
import { loadComposeStack, portPlan } from '../../../server/compose/composeStack';
import { derivedComposeText, MANITO_LABELS } from '../../../server/compose/derivedFile';
import { imageFamily, imageName, portKind } from '../../../server/compose/imageKind';

function project(text: string, vars: Record<string, string> = {}) {
  const read = parseComposeText(text, '/home/u/app/docker-compose.yml', '/home/u/app');
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return composeProject(read.document, vars);
}

test('kinds from images: the family on its own port, http on web ports, tcp otherwise', () => {
  assert.equal(imageName('ghcr.io/org/redis:7-alpine@sha256:abc'), 'redis');
  assert.equal(imageName('localhost:5000/postgres'), 'postgres');
  const cases: Array<[string, number, string]> = [
    ['redis:7', 6379, 'redis'], ['bitnami/redis', 6379, 'redis'], ['valkey/valkey:8', 6379, 'redis'],
    ['postgres:16', 5432, 'postgres'], ['postgis/postgis', 5432, 'postgres'], ['timescale/timescaledb:latest-pg16', 5432, 'postgres'],
    ['mysql:8', 3306, 'tcp'], ['mariadb', 3306, 'tcp'], ['mongo:7', 27017, 'tcp'],
    ['prom/prometheus', 9090, 'prometheus'], ['nginx:alpine', 443, 'http'], ['redis/redis-stack', 8001, 'tcp'],
    ['myorg/api', 8080, 'http'], ['myorg/worker', 7000, 'tcp'],
  ];
  for (const [image, port, kind] of cases) assert.equal(portKind(imageFamily(image), port), kind, `${image}:${port}`);
  assert.equal(imageFamily('mysql'), 'mysql');
  assert.equal(imageFamily('mongo'), 'mongo');
});

test('services with published TCP ports become definitions; the image\'s own port is primary', () => {
  const p = project(`
x-base: &base
  restart: unless-stopped
services:
  db:
    <<: *base
    image: postgres:16
    ports: ["127.0.0.1:5432:5432"]
  cache:
    image: redis/redis-stack
    ports: ["8001:8001", "\${REDIS_PORT:-6379}:6379"]
  web:
    build: .
    ports: [{ target: 8080, published: 3000 }, "9229"]
    depends_on: { db: { condition: service_healthy }, worker: {} }
  worker:
    image: myorg/worker
  dns:
    image: coredns/coredns
    ports: ["5353:53/udp"]
`, { REDIS_PORT: '16379' });
  assert.deepEqual(p.problems, []);
  assert.deepEqual(p.services.map((s) => [s.name, s.ports.map((x) => `${x.published}->${x.container}`)]), [
    ['db', ['5432->5432']], ['cache', ['16379->6379', '8001->8001']], ['web', ['3000->8080', 'null->9229']], ['worker', []], ['dns', []],
  ]);
  const defs = composeDefinitions(p);
  assert.deepEqual(defs.map((d) => [d.name, d.composeService, d.containerPort, d.kind, d.config.preferred, d.config.dependsOn]), [
    ['db', 'db', 5432, 'postgres', [5432], undefined],
    ['cache', 'cache', 6379, 'redis', [16379], undefined],
    ['cache-8001', 'cache', 8001, 'tcp', [8001], undefined],
    ['web', 'web', 8080, 'http', [3000], ['db']],
    ['web-9229', 'web', 9229, 'tcp', [9229], ['db']],
  ]);
  assert.match(defs[0]!.config.description!, /docker compose service db \(postgres:16\), container port 5432/);
  const reserved = project('services:\n  environment:\n    image: nginx\n    ports: ["80"]\n  urls:\n    image: nginx\n    ports: ["81"]\n    depends_on: [environment]\n');
  assert.deepEqual(composeDefinitions(reserved).map((d) => [d.name, d.composeService, d.config.dependsOn]), [
    ['environment-service', 'environment', undefined], ['urls-service', 'urls', ['environment-service']],
  ], '/api/ports keys are not service names');
});

test('a problem in one service names it, with its position; the other services stay', () => {
  const p = project([
    'services:',
    '  ok:',
    '    image: nginx',
    '    ports: ["8080:80"]',
    '  ranged:',
    '    image: nginx',
    '    ports:',
    '      - "8081:81"',
    '      - "9000-9010:9000-9010"',
    '  hostnet:',
    '    image: nginx',
    '    network_mode: host',
    '    ports: ["80:80"]',
    '  many:',
    '    image: nginx',
    '    deploy: { replicas: 3 }',
    '    ports: ["8090:80"]',
    '  notamap: 5',
    '  twice:',
    '    image: nginx',
    '    ports: ["8100:80", "8101:80"]',
  ].join('\n'));
  assert.deepEqual(p.services.map((s) => s.name), ['ok', 'twice']);
  const byService = Object.fromEntries(p.problems.map((x) => [x.service, x]));
  assert.match(byService.ranged!.message, /service ranged, ports\[1\]: .*range/);
  assert.deepEqual([byService.ranged!.line, byService.ranged!.column], [9, 9]);
  assert.match(byService.hostnet!.message, /network_mode: host/);
  assert.match(byService.many!.message, /3 replicas/);
  assert.match(byService.notamap!.message, /not a mapping/);
  assert.match(byService.twice!.message, /published twice/);
  assert.deepEqual(p.services[1]!.ports.map((x) => x.published), [8100]);
  const noServices = parseComposeText('version: "3"\n', 'f', '/w');
  assert.ok(noServices.ok);
  if (noServices.ok) assert.match(composeProject(noServices.document, {}).problems[0]!.message, /no "services" mapping/);
});

test('the derived file: allocated ports on loopback, labels, no container_name, the rest as the user wrote it', () => {
  const text = [
    '# my stack',
    'x-labels: &labels',
    '  team: "yes"',
    'services:',
    '  web:',
    '    image: nginx',
    '    container_name: my-web',
    '    labels: *labels',
    '    environment:',
    '      FLAG: "yes"',
    '      PLAIN: on',
    '    ports:',
    '      - "0.0.0.0:8080:80"',
    '      - target: 443',
    '        published: 8443',
    '      - "5353:53/udp"',
    '    volumes: ["./www:/www"]',
    '    extends: { file: ../common.yml, service: base }',
    '  db:',
    '    image: postgres',
    '    labels: ["keep=1", "io.manito.owner=someone-else"]',
    '    ports: ["5432:5432"]',
    '  helper:',
    '    image: busybox',
  ].join('\n');
  const p = project(text);
  const derived = derivedComposeText(p, new Map([['web', new Map([[80, 41001], [443, 41002]])]]), { workspace: '/home/u/app', project: 'manito-app-1234' }, {});
  const out = parse(derived) as { services: Record<string, Record<string, unknown>> };
  assert.deepEqual(out.services.web!.ports, ['127.0.0.1:41001:80', '127.0.0.1:41002:443', '5353:53/udp']);
  assert.equal(out.services.web!.container_name, undefined);
  assert.deepEqual(out.services.web!.labels, { team: 'yes', [MANITO_LABELS.owner]: 'manito', [MANITO_LABELS.workspace]: '/home/u/app', [MANITO_LABELS.service]: 'web' });
  assert.deepEqual(out.services.web!.volumes, ['./www:/www'], 'relative paths stay: --project-directory is the user\'s folder');
  assert.deepEqual(out.services.web!.extends, { file: '/home/u/common.yml', service: 'base' });
  assert.deepEqual(out.services.db!.ports, [], 'a TCP port Manito did not allocate is not published');
  assert.deepEqual(out.services.db!.labels, ['keep=1', 'io.manito.owner=manito', 'io.manito.workspace=/home/u/app', 'io.manito.compose-service=db']);
  assert.equal(out.services.helper!.ports, undefined);
  assert.match(derived, /^# Written by Manito from \/home\/u\/app\/docker-compose\.yml for project manito-app-1234/);
  assert.match(derived, /# my stack/);
  assert.match(derived, /FLAG: "yes"/, 'the user\'s quoting is kept (Compose v1 reads YAML 1.1)');
  assert.match(derived, /PLAIN: on/);
  assert.match(derived, /team: "yes"/);
});

test('loadComposeStack: no file, a broken file, a usable one; the port plan from the engine\'s ports', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-compose-stack-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(loadComposeStack(dir, {}, path.join(dir, 'state')), { found: false });
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web: [\n');
  const broken = loadComposeStack(dir, {}, path.join(dir, 'state'));
  assert.ok(broken.found && !broken.stack && broken.problems[0]!.line >= 2, JSON.stringify(broken));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    ports: ["${P}:80", "8443:443"]\n  bad:\n    ports: ["1-2:1-2"]\n');
  fs.writeFileSync(path.join(dir, '.env'), 'P=8080\n');
  const loaded = loadComposeStack(dir, { P: '9090' }, path.join(dir, 'state'));
  assert.ok(loaded.found && loaded.stack);
  if (!loaded.found || !loaded.stack) return;
  assert.equal(loaded.problems.length, 1);
  assert.deepEqual(loaded.stack.definitions.map((d) => [d.name, d.config.preferred]), [['web', [9090]], ['web-443', [8443]]], 'the environment wins over .env');
  assert.ok(loaded.stack.runner.derivedFile.startsWith(path.join(dir, 'state', 'compose')));
  const plan = portPlan(loaded.stack.definitions, (name) => ({ web: 41001, 'web-443': 41002 } as Record<string, number>)[name]);
  assert.deepEqual([...plan.get('web')!], [[80, 41001], [443, 41002]]);
  assert.equal(portPlan(loaded.stack.definitions, () => undefined).size, 0);
});
