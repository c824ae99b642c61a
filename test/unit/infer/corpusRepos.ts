// The scan-quality corpus: test/fixtures/corpus/SOURCES names each public repository and commit,
// <folder>/expected.json holds what a person found in it by hand. The repositories' files are not
// kept here: each is read at its commit from a local snapshot (a bare git directory) into a
// temporary folder, once per test process.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CORPUS = path.resolve(__dirname, '..', '..', 'fixtures', 'corpus');

export interface ExpectedService {
  kind: string;
  port: number;
  cwd: string | null;
  command: string | null;
  dependsOn?: string[];
  env?: Record<string, string>;
}

export interface Expected {
  /** Every port literal that matters, at `path:line`, and the service it belongs to (null: none of the stack). */
  findings: Array<{ at: string; port: number; service: string | null }>;
  stack: Record<string, ExpectedService>;
}

export interface CorpusRepo {
  folder: string;
  repo: string;
  commit: string;
  expected: Expected;
}

export function corpusRepos(): CorpusRepo[] {
  const lines = fs.readFileSync(path.join(CORPUS, 'SOURCES'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  return lines.map((line) => {
    const [folder, at] = line.split(/\s+/) as [string, string];
    const [repo, commit] = at.split('@') as [string, string];
    const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, folder, 'expected.json'), 'utf8')) as Expected;
    return { folder, repo, commit, expected };
  });
}

/** The bare git directory of a repository's snapshot. */
export function snapshotOf(repo: string): string {
  const root = process.env.MANITO_CORPUS_MIRROR || '/work/.mirror';
  return path.join(root, repo.replace('/', '+'), 'repo');
}

let temp: string | undefined;
const checkedOut = new Map<string, string | null>();

/** The repository's files at its commit in a temporary folder; null when no snapshot is on this machine. */
export function checkout(r: CorpusRepo): string | null {
  if (checkedOut.has(r.folder)) return checkedOut.get(r.folder)!;
  let dir: string | null = null;
  const git = snapshotOf(r.repo);
  if (fs.existsSync(git)) {
    temp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'manito-corpus-'));
    dir = path.join(temp, r.folder);
    fs.mkdirSync(dir);
    const archive = execFileSync('git', ['--git-dir', git, 'archive', '--format=tar', r.commit], { maxBuffer: 512 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  checkedOut.set(r.folder, dir);
  return dir;
}

export function removeCheckouts(): void {
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
  temp = undefined;
  checkedOut.clear();
}
