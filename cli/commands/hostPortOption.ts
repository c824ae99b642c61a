// The --port option that `manito host` and `manito up` share: both start a host, whose API port
// the option chooses (cli/main.ts has already checked it is a number).

export const HOST_PORT_HELP = '  --port <n>   the host API port (default: manito.json host.ports, else 41730-41749)';
export const HOST_PORT_OPTION = { port: { type: 'string' } } as const;

/** The host ports to try: the one asked for, or undefined for the config's and the defaults. */
export function hostPortsFrom(port: string | boolean | undefined): number[] | undefined {
  return typeof port === 'string' ? [Number(port)] : undefined;
}
