import { searchTerms } from "@shared/lib/text";

// Name similarity for duplicate detection. Jaro-Winkler is written out here rather than taken from npm: the
// maintained package (@skyra/jaro-winkler) counts a 5th prefix character when the first four match, and the
// other one (jaro-winkler) is an unmaintained UMD script; the measure itself is thirty lines, pinned by the
// published reference values in test/duplicates/similarity.test.ts.

/**
 * Two names are proposed as duplicates when every word of one has a counterpart in the other scoring at least
 * this. Jaro-Winkler over each word, not over the whole name: on whole names a shared first name alone lifts
 * "Marie Dupont" / "Marie Durand" to 0.90 and "Camille Girard" / "Camille Garnier" to 0.94, which flagged more
 * than one pair per contact in a test book of 3,000 random names. Per word, 0.92 keeps a missing, extra or
 * swapped letter ("jon" / "john" 0.93, "julie" / "julien" 0.97, "matrin" / "martin" 0.96) and a wrong letter
 * late in a longer word ("martin" / "martyn" 0.93), and refuses different names sharing a beginning ("dupont" /
 * "durand" 0.73, "christine" / "christophe" 0.90). Short names pay for it: "anne" / "anna" is 0.88.
 */
export const NAME_SIMILARITY_THRESHOLD = 0.92;

/** Winkler's standard parameters: a common prefix of up to 4 characters, each adding 10% of what is missing. */
const PREFIX_LIMIT = 4;
const PREFIX_SCALE = 0.1;

// Match flags, reused across calls: detection compares hundreds of thousands of short words.
let aFlags = new Uint8Array(64);
let bFlags = new Uint8Array(64);

/**
 * Jaro similarity (0..1), over UTF-16 code units: names are folded first, which leaves letters of the Basic
 * Multilingual Plane, one unit each.
 */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  if (aFlags.length < a.length) aFlags = new Uint8Array(a.length * 2);
  if (bFlags.length < b.length) bFlags = new Uint8Array(b.length * 2);
  aFlags.fill(0, 0, a.length);
  bFlags.fill(0, 0, b.length);
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const char = a.charCodeAt(i);
    const end = Math.min(i + window + 1, b.length);
    for (let j = Math.max(0, i - window); j < end; j++) {
      if (bFlags[j] || b.charCodeAt(j) !== char) continue;
      aFlags[i] = bFlags[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (!aFlags[i]) continue;
    while (!bFlags[j]) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) outOfOrder++;
    j++;
  }
  const transpositions = Math.floor(outOfOrder / 2);
  return (matches / a.length + matches / b.length + (matches - transpositions) / matches) / 3;
}

/** Jaro-Winkler similarity (0..1): Jaro, raised for a common prefix (MARTHA / MARHTA = 0.961). */
export function jaroWinkler(a: string, b: string): number {
  const similarity = jaro(a, b);
  let prefix = 0;
  while (prefix < PREFIX_LIMIT && prefix < a.length && a[prefix] === b[prefix]) prefix++;
  return similarity + prefix * PREFIX_SCALE * (1 - similarity);
}

/** The words a name is compared by: folded ("Élodie" is "elodie"), split on anything but letters and digits. */
export const nameWords = (name: string): string[] => searchTerms(name);

/**
 * The shortest/longest length ratio below which two words cannot reach `minimum`: Jaro-Winkler is at most
 * 0.6·Jaro + 0.4 (four prefix characters) and Jaro at most (2 + shorter/longer) / 3.
 */
const lengthRatioFloor = (minimum: number) => 3 * ((minimum - 0.4) / 0.6) - 2;

/** Names of more words are not compared (0): the pairings to try grow as the factorial of the word count. */
export const MAX_NAME_WORDS = 6;

// The pairing search below runs hundreds of thousands of times per detection: its state lives here rather
// than in closures allocated per call.
const pairScores = new Float64Array(MAX_NAME_WORDS * MAX_NAME_WORDS);
const taken = new Uint8Array(MAX_NAME_WORDS);
let left: readonly string[] = [];
let right: readonly string[] = [];
let size = 0;
let floor = 0;
let ratioFloor = 0;
let best = 0;
let known: Map<string, number> | undefined;

function wordScore(x: string, y: string): number {
  if (Math.min(x.length, y.length) / Math.max(x.length, y.length) < ratioFloor) return 0;
  if (!known) return jaroWinkler(x, y);
  const key = x < y ? `${x} ${y}` : `${y} ${x}`;
  let value = known.get(key);
  if (value === undefined) {
    value = jaroWinkler(x, y);
    known.set(key, value);
  }
  return value;
}

function pairScore(i: number, j: number): number {
  let value = pairScores[i * size + j]!;
  if (value < 0) {
    value = wordScore(left[i]!, right[j]!);
    pairScores[i * size + j] = value;
  }
  return value;
}

/** Pairs word `i` of the left name onwards, the pairs so far scoring at least `weakest`. */
function pairFrom(i: number, weakest: number): void {
  if (weakest <= best || weakest < floor) return;
  if (i === size) {
    best = weakest;
    return;
  }
  for (let j = 0; j < size && best < 1; j++) {
    if (taken[j]) continue;
    taken[j] = 1;
    pairFrom(i + 1, Math.min(weakest, pairScore(i, j)));
    taken[j] = 0;
  }
}

/**
 * Similarity of two names whatever the order of their words: the best one-to-one pairing of their words, scored
 * by its weakest pair ("Martin Élodie" / "Elodie Martin" = 1, "Elodie Matrin" / "Élodie Martin" = 0.96). Names
 * with a different number of words score 0: "Jean Dupont" and "Jean-Pierre Dupont" are usually two people.
 * Pairings that fall below `minimum` are abandoned early, so the answer is exact when it is at least `minimum`
 * and 0 otherwise. `wordScores`, kept across calls, remembers each pair of words compared: the names of a book
 * repeat a few thousand words, so most comparisons of a detection are look-ups.
 */
export function nameSimilarity(a: readonly string[], b: readonly string[], minimum = 0, wordScores?: Map<string, number>): number {
  const n = a.length;
  if (n === 0 || n !== b.length || n > MAX_NAME_WORDS) return 0;
  left = a;
  right = b;
  size = n;
  floor = minimum;
  ratioFloor = lengthRatioFloor(minimum);
  best = 0;
  known = wordScores;
  pairScores.fill(-1, 0, n * n);
  taken.fill(0, 0, n);
  pairFrom(0, 1);
  return best;
}
