// Every bound on manito.json, in one place: the schema generator writes them into
// schemas/manito.schema.json, the host's loader and checks enforce them, and a unit test holds the
// README's configuration reference to the same numbers.

export const CONFIG_BOUNDS = {
  /** Bytes of manito.json; a larger file is refused unread. */
  maxFileBytes: 1_000_000,
  /** Nesting of objects and arrays; a valid manito.json needs 5. Deeper text is refused before parsing. */
  maxDepth: 64,
  /** Values (numbers, strings, objects, ...) in the whole file: a parse tree is kept only for this many. */
  maxValues: 50_000,
  /** Entries of any one object or array: no list of a valid stack is longer than its services. */
  maxEntries: 500,
  /** Services in one stack. */
  maxServices: 500,
  /** Links of an inheritFrom chain, and services on the longest dependsOn chain, counting the first. */
  maxChainLength: 32,
  /** Problems reported one by one; the rest are counted in one last "and N more". */
  maxReportedErrors: 50,
  /** Entries of preferred and host.ports. */
  maxPortsPerList: 16,
  /** Characters of a service name, a command, a path, an env value. */
  maxStringLength: 4096,
  /** Variables of one service's env. */
  maxEnvVars: 100,
  /** Processes of one multi-instance service (`instances`). */
  instances: { min: 1, max: 16 },
  port: { min: 1, max: 65535 },
  /** intervalMs and timeoutMs of a health check: 100 ms to one hour (Node's timers overflow past 24.8 days). */
  intervalMs: { min: 100, max: 3_600_000 },
  timeoutMs: { min: 100, max: 3_600_000 },
  expectStatus: { min: 100, max: 599 },
} as const;
