// Types of scripts/configSchema.mjs, for the test that checks the generated files are current.
export declare const SCHEMA_FILE: string;
export declare const VALIDATOR_FILE: string;
/** Writes the schema and the compiled validator (or with check, only lists the stale ones). */
export declare function generate(options?: { check?: boolean }): Promise<string[]>;
