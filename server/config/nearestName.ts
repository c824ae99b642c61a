// "did you mean …" for an unknown key of manito.json: the known name fewest edits away, when it
// is close enough to be a typo (a third of the word, at least one edit), never a guess from afar.

/** Levenshtein distance, case-insensitive; two rows, so any length costs little memory. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** The closest candidate within the typo bound, or undefined; ties go to the earlier candidate. */
export function nearestName(word: string, candidates: readonly string[]): string | undefined {
  // A key is short; one far longer than any candidate is no typo of one (and is not worth the table).
  if (word.length > 64) return undefined;
  const bound = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = bound + 1;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  return best;
}
