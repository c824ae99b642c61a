// Which discovery records a CLI or app helper may trust, and whether the host on a record's port
// proves it wrote that record. File system, process and HTTP access come in through DiscoveryIo, so
// the same rules run in the CLI (static Node imports) and in the app helpers (dynamic imports, the
// browser build never sees them); this file imports nothing from Node.
import {
  API_WHOAMI_PATH, WHOAMI_PROOF_CONTEXT, asDiscoveryRecord, folderProblem, recordFileProblem, whoamiProblem,
  type DiscoveryRecord, type PathFacts,
} from '../../protocol/discovery';

export interface DiscoveryIo {
  /** The user's uid; undefined where the platform has none. */
  uid: number | undefined;
  /** lstat, never following a link; undefined when nothing is there. */
  facts(p: string): PathFacts | undefined;
  readdir(dir: string): string[];
  readFile(file: string): string;
  join(...parts: string[]): string;
  /** Runs and is the user's: a pid that kill(0) answers with EPERM belongs to someone else, so it is not alive here. */
  alive(pid: number): boolean;
  /** 32 random bytes as hex. */
  nonce(): string;
  /** HMAC-SHA256(key, text) as hex. */
  hmac(key: string, text: string): string;
  /** GET a loopback URL; the parsed JSON body of a 200 answer, else a rejection. */
  getJson(url: string, timeoutMs: number): Promise<unknown>;
}

export interface RecordsRead {
  /** Live, well-formed records from trusted files, newest first. */
  records: DiscoveryRecord[];
  /** One line per thing not trusted, for the user: "Ignoring ...". */
  notes: string[];
}

/** The records of `<stateDir>/hosts` that pass the folder and file rules and whose pid runs as this user. */
export function readRecords(stateDir: string, io: DiscoveryIo): RecordsRead {
  const notes: string[] = [];
  const hosts = io.join(stateDir, 'hosts');
  for (const dir of [stateDir, hosts]) {
    const facts = io.facts(dir);
    if (!facts) return { records: [], notes };
    const problem = folderProblem(dir, facts, io.uid);
    if (problem) return { records: [], notes: [`Not trusting any discovery record: ${problem}`] };
  }
  let names: string[];
  try {
    names = io.readdir(hosts);
  } catch (error) {
    return { records: [], notes: [`Could not read ${hosts}: ${(error as Error).message}`] };
  }
  const records: DiscoveryRecord[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    const file = io.join(hosts, name);
    try {
      const facts = io.facts(file);
      if (!facts) continue; // removed as we looked: its host stopped
      const problem = recordFileProblem(file, facts, io.uid);
      if (problem) {
        notes.push(`Ignoring a discovery record: ${problem}`);
        continue;
      }
      const record = asDiscoveryRecord(JSON.parse(io.readFile(file)));
      if (record && io.alive(record.pid)) records.push(record);
    } catch {
      // Half-written (the rename has not happened) or removed: not a host we can talk to.
    }
  }
  return { records: records.sort((a, b) => b.startedAt.localeCompare(a.startedAt)), notes };
}

/** Undefined when the host on `record.port` proves it is the record's host (its pid, and an HMAC of a fresh nonce with the token); else why not. */
export async function proveHost(record: DiscoveryRecord, io: DiscoveryIo, timeoutMs: number): Promise<string | undefined> {
  const nonce = io.nonce();
  let answer: unknown;
  try {
    answer = await io.getJson(`http://127.0.0.1:${record.port}${API_WHOAMI_PATH}?nonce=${nonce}`, timeoutMs);
  } catch (error) {
    return `the host of pid ${record.pid} did not answer on port ${record.port}: ${(error as Error).message}`;
  }
  return whoamiProblem(record, nonce, io.hmac(record.token, WHOAMI_PROOF_CONTEXT + nonce), answer);
}

/** The line `manito status` and the app helpers print for a Manito-looking answer no trusted record names. */
export function unprovenHostLine(port: number, pid: number | undefined): string {
  return `Ignoring a server on 127.0.0.1:${port} that says it is a Manito host${pid ? ` (pid ${pid})` : ''}: no discovery record of yours names it, so it may be another user's or a fake one`;
}
