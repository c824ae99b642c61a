// How each framework and backing service is given its port. Some read PORT (Manito sets it for
// every service); the others ignore it and need a flag, added to the inferred command with
// `${port}`, also through `npm run dev -- ...` and the pnpm/yarn/bun forms. Pure; the README's
// table is this one.
import type { HealthCheckConfig, ServiceKind } from '../../protocol/config';

export type Role = 'frontend' | 'backend' | 'backing';

export interface FrameworkSpec {
  id: string;
  /** As a person names it, shown in provenance: `(Vite)`. */
  label: string;
  kind: ServiceKind;
  role: Role;
  /** Where it listens when nothing says otherwise. */
  defaultPort: number;
  /** Arguments that set its port (`${port}` where the number goes); empty: it reads PORT. */
  portArgs: string[];
  /** A command that starts it, for backing services and apps started without a script. */
  command?: string;
  /** The variable it reads its port from, when it is not PORT. */
  portEnv?: string;
}

const VITE_ARGS = ['--port', '${port}', '--strictPort'];

const spec = (id: string, label: string, kind: ServiceKind, role: Role, defaultPort: number, portArgs: string[], more: Partial<FrameworkSpec> = {}): FrameworkSpec =>
  ({ id, label, kind, role, defaultPort, portArgs, ...more });

export const FRAMEWORKS: Record<string, FrameworkSpec> = {
  vite: spec('vite', 'Vite', 'vite', 'frontend', 5173, VITE_ARGS),
  sveltekit: spec('sveltekit', 'SvelteKit', 'vite', 'frontend', 5173, VITE_ARGS),
  remix: spec('remix', 'Remix', 'vite', 'frontend', 5173, VITE_ARGS),
  'react-router': spec('react-router', 'React Router', 'vite', 'frontend', 5173, VITE_ARGS),
  'tanstack-start': spec('tanstack-start', 'TanStack Start', 'vite', 'frontend', 3000, VITE_ARGS),
  astro: spec('astro', 'Astro', 'http', 'frontend', 4321, ['--port', '${port}']),
  nuxt: spec('nuxt', 'Nuxt', 'http', 'frontend', 3000, ['--port', '${port}']),
  next: spec('next', 'Next.js', 'http', 'frontend', 3000, ['-p', '${port}']),
  angular: spec('angular', 'Angular', 'http', 'frontend', 4200, ['--port', '${port}']),
  storybook: spec('storybook', 'Storybook', 'http', 'frontend', 6006, ['-p', '${port}']),
  expo: spec('expo', 'Expo', 'http', 'frontend', 8081, ['--port', '${port}']),
  gatsby: spec('gatsby', 'Gatsby', 'http', 'frontend', 8000, ['-p', '${port}']),
  'vue-cli': spec('vue-cli', 'Vue CLI', 'http', 'frontend', 8080, ['--port', '${port}']),
  webpack: spec('webpack', 'webpack-dev-server', 'http', 'frontend', 8080, ['--port', '${port}']),
  cra: spec('cra', 'Create React App', 'http', 'frontend', 3000, []),
  nest: spec('nest', 'NestJS', 'http', 'backend', 3000, []),
  express: spec('express', 'Express', 'http', 'backend', 3000, []),
  fastify: spec('fastify', 'Fastify', 'http', 'backend', 3000, []),
  koa: spec('koa', 'Koa', 'http', 'backend', 3000, []),
  hono: spec('hono', 'Hono', 'http', 'backend', 3000, []),
  node: spec('node', 'Node.js', 'http', 'backend', 3000, []),
  django: spec('django', 'Django', 'http', 'backend', 8000, [], { command: 'python manage.py runserver 127.0.0.1:${port}' }),
  flask: spec('flask', 'Flask', 'http', 'backend', 5000, ['--port', '${port}']),
  fastapi: spec('fastapi', 'FastAPI', 'http', 'backend', 8000, ['--port', '${port}']),
  redis: spec('redis', 'Redis', 'redis', 'backing', 6379, [], { command: "redis-server --port ${port} --bind 127.0.0.1 --save ''" }),
  postgres: spec('postgres', 'PostgreSQL', 'postgres', 'backing', 5432, [], { command: 'postgres -p ${port}' }),
  mysql: spec('mysql', 'MySQL', 'tcp', 'backing', 3306, [], { command: 'mysqld --port=${port}' }),
  mongodb: spec('mongodb', 'MongoDB', 'tcp', 'backing', 27017, [], { command: 'mongod --port ${port} --bind_ip 127.0.0.1' }),
  prometheus: spec('prometheus', 'Prometheus', 'prometheus', 'backing', 9090, [], { command: 'prometheus --web.listen-address=127.0.0.1:${port}' }),
  memcached: spec('memcached', 'Memcached', 'tcp', 'backing', 11211, [], { command: 'memcached -p ${port} -l 127.0.0.1' }),
  rabbitmq: spec('rabbitmq', 'RabbitMQ', 'tcp', 'backing', 5672, [], { command: 'rabbitmq-server', portEnv: 'RABBITMQ_NODE_PORT' }),
  elasticsearch: spec('elasticsearch', 'Elasticsearch', 'http', 'backing', 9200, [], { command: 'elasticsearch -E http.port=${port}' }),
  mailpit: spec('mailpit', 'Mailpit', 'http', 'backing', 8025, [], { command: 'mailpit --listen 127.0.0.1:${port}' }),
};

/** Image name (without registry, tag) to backing service. */
export function backingFromImage(image: string): FrameworkSpec | undefined {
  const name = image.replace(/[@:][^/]*$/, '').split('/').pop() ?? '';
  const id = /^(redis|valkey|keydb)/.test(name) ? 'redis'
    : /^(postgres|postgis|timescaledb|pgvector)/.test(name) ? 'postgres'
      : /^(mysql|mariadb|percona)/.test(name) ? 'mysql'
        : /^mongo/.test(name) ? 'mongodb'
          : /^(prometheus|memcached|rabbitmq|elasticsearch|mailpit)/.exec(name)?.[1] ?? (name === 'mailhog' ? 'mailpit' : undefined);
  return id ? FRAMEWORKS[id] : undefined;
}

/**
 * The health check a service of this kind gets: the kind's own fingerprint where there is one, else
 * a TCP check. Not HTTP for an inferred app: nothing says which path answers 2xx (an API's `/` is
 * often a 404, its routes under /api), and an unhealthy API would hold back every service after it.
 */
export function healthFor(kind: ServiceKind): HealthCheckConfig {
  if (kind === 'http' || kind === 'tcp' || kind === 'websocket') return { type: 'tcp' };
  return { type: 'auto' };
}

/** A flag that already sets the port in a command: `--port 3000`, `-p 3000`, `--port=3000`, `runserver 0.0.0.0:8000`. */
const PORT_FLAG = /((?:--port|-p)(?:=|\s+)|\brunserver\s+(?:[\w.]+:)?|(?:--bind|-b)(?:=|\s+)[\w.]*:)(\d{2,5})\b/;

/**
 * `command` made to take `${port}`: a port already written in it becomes `${port}`; else the
 * framework's flags are added, after `--` for `npm run`. A framework that reads PORT is left as is.
 */
export function hasPortFlag(command: string): boolean {
  return PORT_FLAG.test(command);
}

export function commandWithPort(command: string, framework: FrameworkSpec): string {
  if (PORT_FLAG.test(command)) {
    const replaced = command.replace(PORT_FLAG, (_m, flag: string) => `${flag}\${port}`);
    return framework.portArgs.includes('--strictPort') && !replaced.includes('--strictPort') ? `${replaced} --strictPort` : replaced;
  }
  if (framework.portArgs.length === 0 || /\$\{port\}/.test(command)) return command;
  const args = framework.portArgs.join(' ');
  return /^npm\s+(run(-script)?|start)\b/.test(command) ? `${command} -- ${args}` : `${command} ${args}`;
}

/** `npm run dev` in the package manager the folder uses. */
export function runScript(manager: PackageManager, script: string): string {
  if (manager === 'npm') return script === 'start' ? 'npm start' : `npm run ${script}`;
  return `${manager} run ${script}`;
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/**
 * Variables a framework needs to run headless under Manito, with why. Create React App opens a
 * browser unless BROWSER=none, and outside CI its dev server exits when stdin ends (Manito's
 * processes have none); react-scripts before 5 runs webpack 4, whose MD4 hashing Node 17+ refuses
 * without the legacy OpenSSL provider.
 */
export function frameworkEnv(framework: FrameworkSpec, deps: Readonly<Record<string, unknown>>): Record<string, { value: string; why: string }> {
  if (framework.id !== 'cra') return {};
  const env: Record<string, { value: string; why: string }> = {
    BROWSER: { value: 'none', why: 'Create React App opens a browser tab unless BROWSER=none' },
    CI: { value: 'true', why: 'Create React App\'s dev server exits when stdin ends unless CI=true' },
  };
  const version = deps['react-scripts'];
  const major = typeof version === 'string' ? /(\d+)/.exec(version)?.[1] : undefined;
  if (major !== undefined && Number(major) < 5) {
    env.NODE_OPTIONS = { value: '--openssl-legacy-provider', why: `react-scripts ${version} runs webpack 4, whose MD4 hashing Node 17+ refuses without the legacy OpenSSL provider` };
  }
  return env;
}
