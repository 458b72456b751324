/**
 * "Did you mean ...?" suggestions, as BuildKit's util/suggest picks them: the
 * closest candidate by Levenshtein distance, accepted when the distance is
 * small relative to the word (at most 2, or a third of its length when longer).
 */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word`, or undefined when none is close enough. */
export function suggest(word: string, candidates: Iterable<string>, caseSensitive = true): string | undefined {
  const norm = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const w = norm(word);
  const limit = Math.max(2, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d === 0) return undefined; // an exact match needs no suggestion
    if (d <= limit && (d < bestDist || (d === bestDist && best !== undefined && c < best))) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}
