/** Case- and accent-folded form of a string: "Élodie  Dupré" → "elodie dupre". Used for sort keys, unique
 *  names and similarity, so "Élodie" sorts, matches and collides with "elodie". */
export function fold(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** Search terms of a free-text query: folded words of letters and digits ("elodie.mar" → ["elodie", "mar"]). */
export function searchTerms(query: string): string[] {
  return fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * A request path fit for a log line: secrets that travel in paths (booking manage/cancel/reschedule tokens,
 * hold tokens) are replaced, so logs never hold a credential.
 */
export function loggablePath(path: string): string {
  return path.replace(/\/(manage|cancel|reschedule|holds)\/[^/]+/g, "/$1/[token]");
}
