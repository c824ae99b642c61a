// A JSON file written whole (the lease registry's): sealed with a checksum so a torn file is told
// from a whole one, and replaced by rename from a recycled spare file. A rename over an existing file is atomic, but
// on ext4 (auto_da_alloc) it also flushes the new file's delayed-allocation blocks, which a fresh
// temp file always has: that flush was nearly all of an allocation's time. The spare's blocks are
// allocated already, so writing into it and renaming it costs no flush; the replaced file is kept
// (hard-linked aside first) as the next spare. Only the lock's holder writes.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** The seal: `{"sum":"<16 hex>",` then the body without its opening brace. Still plain JSON. */
const SEAL = /^\{"sum":"([0-9a-f]{16})",/;

const sumOf = (body: string): string => crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);

/** `body` (a JSON object's text) with its checksum as a first member. */
export function seal(body: string): string {
  if (!body.startsWith('{') || body === '{}') throw new TypeError('seal: body must be a non-empty JSON object');
  return `{"sum":"${sumOf(body)}",${body.slice(1)}`;
}

/**
 * The body of a sealed text, or null when the text is torn (its sum does not match). A text with
 * no seal (hand-written, or written before seals) is taken when it is JSON; '' stays '' (no file).
 */
export function unseal(text: string): string | null {
  const m = SEAL.exec(text);
  if (!m) return text === '' || isJson(text) ? text : null;
  const body = `{${text.slice(m[0].length)}`;
  return sumOf(body) === m[1] ? body : null;
}

export class SealedFile {
  private readonly spare: string;
  private readonly aside: string;

  constructor(readonly file: string) {
    this.spare = `${file}.spare`;
    this.aside = `${file}.prev`;
  }

  /**
   * The body now, read without the lock. A text that fails its seal is being rewritten (a reader
   * that opened the file just before two writes holds the inode now recycled as spare), so it is
   * read again; past a few tries the previous file's body stands in.
   */
  read(): string {
    for (let attempt = 0; attempt < 5; attempt++) {
      const body = unseal(readText(this.file));
      if (body !== null) return body;
    }
    return this.recover();
  }

  /**
   * The body under the lock, when no one else writes: a failing seal means a crash left the file
   * torn (power lost before its blocks reached the disk), so the previous file's body is used. A
   * torn file that changes while we hold the lock is someone writing beside us: the previous body
   * would then be older than what they wrote (released leases back, a lost update), so that throws.
   */
  readLocked(): string {
    const text = readText(this.file);
    const body = unseal(text);
    if (body !== null) return body;
    const again = readText(this.file);
    if (again !== text) {
      const whole = unseal(again);
      throw new Error(`${this.file} was rewritten while its lock was held${whole === null ? '' : ' (now whole)'}: not falling back to an older copy`);
    }
    return this.recover();
  }

  /** Replaces the file with `body`, sealed: whole or not at all for any reader, crash included. */
  write(body: string): void {
    const text = Buffer.from(seal(body));
    let fd: number;
    try {
      fd = fs.openSync(this.spare, 'r+'); // no truncation to zero: that would free the allocated blocks
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fd = fs.openSync(this.spare, 'w', 0o600);
    }
    try {
      fs.writeSync(fd, text, 0, text.length, 0);
      // Only to cut an old tail: on ext4 even a truncate to the same size is a journal transaction.
      if (fs.fstatSync(fd).size > text.length) fs.ftruncateSync(fd, text.length);
    } finally {
      fs.closeSync(fd);
    }
    const kept = this.keepAside();
    fs.renameSync(this.spare, this.file);
    if (kept) fs.renameSync(this.aside, this.spare);
  }

  /** Hard-links the current file aside so it outlives the rename; false when there is none yet. */
  private keepAside(): boolean {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(this.file, this.aside);
        return true;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return false;
        if (code !== 'EEXIST' || attempt > 0) throw error;
        fs.unlinkSync(this.aside); // left by a writer killed between its rename and the next
      }
    }
  }

  /** The previous file's body (the spare, or the aside link a killed writer left), else none. */
  private recover(): string {
    for (const file of [this.spare, this.aside]) {
      const body = unseal(readText(file));
      if (body) return body;
    }
    return '';
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
