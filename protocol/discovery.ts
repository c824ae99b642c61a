// How a CLI or app helper finds a running host and tells it from an impostor: the discovery record
// a host leaves in the user's state folder, the proof it gives of holding that record's token, and
// the rules a state folder and a record file must meet to be trusted. Types and pure functions
// only: the file system and crypto are the callers' (server/discovery, cli/app/nodeDiscovery).

export interface DiscoveryRecord {
  version: 1;
  pid: number;
  port: number;
  url: string;
  workspace: string;
  token: string;
  startedAt: string;
}

/** GET `/api/whoami?nonce=<hex>`: the host answers who it is and HMAC-SHA256(token, context + nonce). */
export const API_WHOAMI_PATH = '/api/whoami';
/** Prefixed to the nonce before the HMAC, so a proof can never be replayed as any other use of the token. */
export const WHOAMI_PROOF_CONTEXT = 'manito-whoami-v1:';
/** A nonce is 32 to 128 lowercase hex digits (16 to 64 random bytes). */
export const WHOAMI_NONCE = /^[0-9a-f]{32,128}$/;

export interface WhoamiResponse {
  success: true;
  data: { pid: number; port: number; workspace: string; nonce: string; proof: string };
}

/** What lstat tells of a path, as much as the trust rules need. */
export interface PathFacts {
  isSymbolicLink: boolean;
  isDirectory: boolean;
  isFile: boolean;
  uid: number;
  /** Permission bits (mode & 0o777). */
  mode: number;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Why a state folder (or its hosts folder) cannot be trusted, or undefined when it can: it must be
 * a real folder, not a symlink, owned by `uid`, reachable by nobody else (0700). `uid` undefined:
 * the platform has no uids (Windows); only the symlink and folder rules apply.
 */
export function folderProblem(dir: string, facts: PathFacts, uid: number | undefined): string | undefined {
  if (facts.isSymbolicLink) return `${dir} is a symbolic link; Manito trusts only a real folder owned by you (remove the link)`;
  if (!facts.isDirectory) return `${dir} is not a folder`;
  if (uid !== undefined && facts.uid !== uid) return `${dir} is owned by uid ${facts.uid}, not by you (uid ${uid}); Manito trusts only its own state folder`;
  if (uid !== undefined && (facts.mode & 0o077) !== 0) return `${dir} has mode ${octal(facts.mode)}; it must be 700 (run: chmod 700 ${dir})`;
  return undefined;
}

/** Why a discovery record file cannot be trusted: a regular file (no symlink), owned by `uid`, mode 0600. */
export function recordFileProblem(file: string, facts: PathFacts, uid: number | undefined): string | undefined {
  if (facts.isSymbolicLink) return `${file} is a symbolic link`;
  if (!facts.isFile) return `${file} is not a regular file`;
  if (uid !== undefined && facts.uid !== uid) return `${file} is owned by uid ${facts.uid}, not by you (uid ${uid})`;
  if (uid !== undefined && (facts.mode & 0o077) !== 0) return `${file} has mode ${octal(facts.mode)}; a discovery record must be 600`;
  return undefined;
}

/** A parsed record, if `value` has every field a host writes. */
export function asDiscoveryRecord(value: unknown): DiscoveryRecord | undefined {
  const r = value as DiscoveryRecord;
  const ok = typeof r === 'object' && r !== null && r.version === 1 && Number.isInteger(r.pid) && r.pid > 0
    && Number.isInteger(r.port) && r.port > 0 && r.port < 65536 && typeof r.url === 'string' && typeof r.workspace === 'string'
    && typeof r.token === 'string' && r.token.length > 0 && typeof r.startedAt === 'string';
  return ok ? r : undefined;
}

/** Why a /api/whoami answer does not prove `record`'s host, or undefined when it does. `expected`: the proof computed from the record's token. */
export function whoamiProblem(record: DiscoveryRecord, nonce: string, expected: string, answer: unknown): string | undefined {
  const data = (answer as Partial<WhoamiResponse> | null)?.data;
  if (!data || typeof data !== 'object') return `port ${record.port} did not answer ${API_WHOAMI_PATH} as a Manito host`;
  if (data.pid !== record.pid) return `port ${record.port} answers as pid ${String(data.pid)}, but the record was written by pid ${record.pid}`;
  if (data.nonce !== nonce || typeof data.proof !== 'string' || !sameText(data.proof, expected)) {
    return `port ${record.port} (pid ${record.pid}) could not prove it holds the record's token`;
  }
  return undefined;
}

/** Compares without stopping at the first difference, so timing tells nothing of the expected proof. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
