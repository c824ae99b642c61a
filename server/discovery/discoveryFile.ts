// The host's discovery record: <state>/hosts/<pid>.json, mode 0600 in a 0700 folder of the user's
// own, written atomically and removed on exit; the proof the host gives of holding its token; and
// the Node side of reading records (the rules are in trustedHosts.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WHOAMI_NONCE, WHOAMI_PROOF_CONTEXT, type DiscoveryRecord, type WhoamiResponse } from '../../protocol/discovery';
import { isProcessAlive } from '../engine/processAlive';
import { currentUid, ensureStateDir, hostsDir, pathFacts, stateDir } from './stateFolder';
import { readRecords, type DiscoveryIo, type RecordsRead } from './trustedHosts';

export function newHostToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function discoveryFilePath(pid: number, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(hostsDir(env), `${pid}.json`);
}

/** Writes the record; returns a function that removes it (synchronous, so it can run in 'exit'). Throws when the state folder cannot be trusted. */
export function writeDiscoveryFile(record: DiscoveryRecord, env: NodeJS.ProcessEnv = process.env): () => void {
  ensureStateDir(env);
  const file = discoveryFilePath(record.pid, env);
  const temp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  // 'wx': never write through a file (or link) someone placed at the temp name.
  fs.writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temp, file);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    try {
      fs.unlinkSync(file);
    } catch {
      // Already gone: another cleanup ran first.
    }
  };
}

/** HMAC-SHA256(token, context + nonce), hex: shows a client the host holds the token without sending it. */
export function whoamiProof(token: string, nonce: string): string {
  return crypto.createHmac('sha256', token).update(WHOAMI_PROOF_CONTEXT + nonce).digest('hex');
}

/** The /api/whoami answer, or an error message for a missing or malformed nonce. */
export function whoamiBody(token: string, nonce: string | null, host: { pid: number; port: number; workspace: string }): WhoamiResponse | string {
  if (!nonce || !WHOAMI_NONCE.test(nonce)) return 'nonce must be 32 to 128 lowercase hex digits';
  return { success: true, data: { pid: host.pid, port: host.port, workspace: host.workspace, nonce, proof: whoamiProof(token, nonce) } };
}

/** DiscoveryIo on Node's own modules; `getJson` is the caller's HTTP client. */
export function nodeDiscoveryIo(getJson: DiscoveryIo['getJson']): DiscoveryIo {
  return {
    uid: currentUid(),
    facts: pathFacts,
    readdir: (dir) => fs.readdirSync(dir),
    readFile: (file) => fs.readFileSync(file, 'utf8'),
    join: path.join,
    alive: (pid) => isProcessAlive(pid, undefined, { ours: true }),
    nonce: () => crypto.randomBytes(32).toString('hex'),
    hmac: (key, text) => crypto.createHmac('sha256', key).update(text).digest('hex'),
    getJson,
  };
}

const noHttp: DiscoveryIo['getJson'] = () => Promise.reject(new Error('no HTTP here'));

/** Trusted live records and the lines about what was not trusted. */
export function readDiscovery(env: NodeJS.ProcessEnv = process.env, io: DiscoveryIo = nodeDiscoveryIo(noHttp)): RecordsRead {
  return readRecords(stateDir(env), io);
}

/** Every trusted live host's record, newest first (see trustedHosts.readRecords). */
export function readLiveHosts(env: NodeJS.ProcessEnv = process.env): DiscoveryRecord[] {
  return readDiscovery(env).records;
}

/** The live host serving `workspace` (compared as resolved paths), if any. */
export function findHostForWorkspace(workspace: string, env: NodeJS.ProcessEnv = process.env): DiscoveryRecord | undefined {
  const wanted = path.resolve(workspace);
  return readLiveHosts(env).find((r) => path.resolve(r.workspace) === wanted);
}
