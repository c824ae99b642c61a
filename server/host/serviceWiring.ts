// What Manito puts into a service's environment when it starts it, as the editor's tooltip shows
// it: the service's own port variable, its dependencies' MANITO_<NAME>_PORT, and each `env` entry
// (the inferred `<NAME>_URL` and the .env.example variables) with why it is set. The launch itself
// builds the same variables in server/launch/launchEnv.ts; this is the readable view. Pure.
import { servicePortVariable, type StackConfig } from '../../protocol/config';
import type { ServiceProvenance } from '../../protocol/inference';
import type { EnvWire, ServiceView } from '../../protocol/model';

const PLACEHOLDER = /\$\{(port|ports\.([^}]*))\}/g;

export function serviceEnv(name: string, stack: StackConfig, portOf: (service: string) => number | undefined, provenance?: ServiceProvenance): EnvWire[] {
  const config = stack.services[name];
  if (!config) return [];
  const out: EnvWire[] = [];
  const known = (service: string, template: string) => String(portOf(service) ?? template);
  out.push({ name: config.portEnv || 'PORT', value: known(name, '${port}'), why: 'its own port' });
  for (const dep of config.dependsOn ?? []) {
    out.push({ name: servicePortVariable(dep), value: known(dep, `\${ports.${dep}}`), why: `the port of ${dep}, which it depends on` });
  }
  for (const [key, template] of Object.entries(config.env ?? {})) {
    const value = String(template).replace(PLACEHOLDER, (whole, _p: string, other: string | undefined) => known(other ?? name, whole));
    const why = provenance?.env[key];
    out.push({ name: key, value, ...(why ? { why } : {}) });
  }
  return out;
}

/** The view with what a reader of an inferred or configured stack needs beside the port: sources and env. */
export function withWiring(view: ServiceView, stack: StackConfig, portOf: (service: string) => number | undefined, provenance?: ServiceProvenance): ServiceView {
  // A container gets no PORT from Manito: Docker publishes the host port to its own port instead.
  const env = view.published ? [] : serviceEnv(view.name, stack, portOf, provenance);
  return { ...view, ...(provenance ? { inferredFrom: provenance.from } : {}), ...(env.length && stack.services[view.name]?.command ? { env } : {}) };
}
