// A unified diff of a file whose lines were edited in place and that may have gained lines at its
// top (what portFix produces): hunks with three lines of context, as `git diff` shows them. Pure.

const CONTEXT = 3;

/** `before` and `after` differ only by `added` lines at the top and lines changed in place. */
export function unifiedDiff(path: string, before: string, after: string, added = 0): string {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/).slice(added);
  const addedLines = after.split(/\r?\n/).slice(0, added);
  const changed: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) changed.push(i);
  if (added) changed.unshift(-1);
  if (!changed.length) return '';
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let i = 0;
  while (i < changed.length) {
    // Changes closer than twice the context share a hunk.
    let j = i;
    while (j + 1 < changed.length && changed[j + 1]! - changed[j]! <= 2 * CONTEXT) j++;
    const first = Math.max(0, changed[i]!);
    const start = Math.max(0, first - CONTEXT);
    const end = Math.min(a.length - 1, Math.max(0, changed[j]!) + CONTEXT);
    const body: string[] = [];
    const withTop = changed[i] === -1;
    if (withTop) for (const l of addedLines) body.push(`+${l}`);
    for (let k = start; k <= end; k++) {
      if (a[k] !== b[k]) body.push(`-${a[k]}`, `+${b[k]}`);
      else body.push(` ${a[k]}`);
    }
    const oldCount = end - start + 1;
    const newCount = oldCount + (withTop ? added : 0);
    const newStart = start + 1 + (withTop ? 0 : added);
    out.push(`@@ -${start + 1},${oldCount} +${newStart},${newCount} @@`, ...body);
    i = j + 1;
  }
  return out.join('\n');
}

/** The diff that creates `path` with `text`, as `git diff` shows a new file. */
export function newFileDiff(path: string, text: string): string {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  return ['--- /dev/null', `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`)].join('\n');
}
