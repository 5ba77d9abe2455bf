import { describe, expect, it } from "vitest";
import { jaro, jaroWinkler, NAME_SIMILARITY_THRESHOLD, nameSimilarity, nameWords } from "../../workers/modules/duplicates/similarity";

const names = (a: string, b: string, minimum?: number) => nameSimilarity(nameWords(a), nameWords(b), minimum);

describe("Jaro-Winkler", () => {
  it("matches the published reference values", () => {
    // Winkler (1990) and the usual textbook examples.
    expect(jaro("MARTHA", "MARHTA")).toBeCloseTo(0.944, 3);
    expect(jaroWinkler("MARTHA", "MARHTA")).toBeCloseTo(0.961, 3);
    expect(jaro("DWAYNE", "DUANE")).toBeCloseTo(0.822, 3);
    expect(jaroWinkler("DWAYNE", "DUANE")).toBeCloseTo(0.84, 3);
    expect(jaro("DIXON", "DICKSONX")).toBeCloseTo(0.767, 3);
    expect(jaroWinkler("DIXON", "DICKSONX")).toBeCloseTo(0.813, 3);
    expect(jaroWinkler("CRATE", "TRACE")).toBeCloseTo(0.733, 3);
  });

  it("is 1 for equal strings, 0 with nothing in common or an empty side, and symmetric", () => {
    expect(jaroWinkler("elodie", "elodie")).toBe(1);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
    expect(jaroWinkler("", "abc")).toBe(0);
    expect(jaroWinkler("abc", "")).toBe(0);
    for (const [a, b] of [["martha", "marhta"], ["dixon", "dicksonx"], ["jon", "john"], ["a", "ab"]] as const) {
      expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(b, a), 12);
    }
  });

  it("counts at most four prefix characters (a 5th would lift abcdef / abcdxy above 0.867)", () => {
    expect(jaroWinkler("abcdef", "abcdxy")).toBeCloseTo(0.7778 + 0.4 * (1 - 0.7778), 3);
  });

  it("handles words longer than its reused buffers", () => {
    const long = "a".repeat(200);
    expect(jaroWinkler(long, long + "b")).toBeGreaterThan(0.99);
  });
});

describe("name similarity", () => {
  it("ignores word order, case and accents", () => {
    expect(names("Martin Élodie", "Elodie Martin")).toBe(1);
    expect(names("ÉLODIE  MARTIN", "elodie martin")).toBe(1);
    expect(names("Jean-Luc Picard", "Picard Jean Luc")).toBe(1);
  });

  it("scores a name by its weakest word: one typo stays above the threshold", () => {
    expect(names("Elodie Matrin", "Élodie Martin")).toBeCloseTo(jaroWinkler("matrin", "martin"), 12);
    for (const [a, b] of [
      ["Elodie Matrin", "Élodie Martin"],
      ["Jon Smith", "John Smith"],
      ["Julie Moreau", "Julien Moreau"],
      ["Gautier Paul", "Paul Gauthier"],
      ["Lefebvre Anne", "Anne Lefèvre"],
      ["Paul Martyn", "Paul Martin"],
    ]) {
      expect(names(a!, b!), `${a} / ${b}`).toBeGreaterThanOrEqual(NAME_SIMILARITY_THRESHOLD);
    }
  });

  it("keeps different people apart, even with a first name in common", () => {
    for (const [a, b] of [
      ["Marie Dupont", "Marie Durand"],
      ["Camille Girard", "Camille Garnier"],
      ["Marc Dubois", "Marc Dupuis"],
      ["Christine Leroy", "Christophe Leroy"],
      ["Élodie Martin", "Élodie Bernard"],
    ]) {
      expect(names(a!, b!), `${a} / ${b}`).toBeLessThan(NAME_SIMILARITY_THRESHOLD);
    }
  });

  it("scores names with a different number of words 0", () => {
    expect(names("Jean Dupont", "Jean-Pierre Dupont")).toBe(0);
    expect(names("Marie", "Marie Curie")).toBe(0);
    expect(names("", "")).toBe(0);
  });

  it("is exact at or above `minimum` and 0 below it", () => {
    const exact = names("Marie Dupont", "Marie Durand");
    expect(exact).toBeGreaterThan(0.5);
    expect(names("Marie Dupont", "Marie Durand", NAME_SIMILARITY_THRESHOLD)).toBe(0);
    expect(names("Marie Dupont", "Marie Durand", exact)).toBeCloseTo(exact, 12);
    expect(names("Elodie Matrin", "Élodie Martin", NAME_SIMILARITY_THRESHOLD)).toBeCloseTo(names("Elodie Matrin", "Élodie Martin"), 12);
  });

  it("finds the best pairing of words, not the first one", () => {
    // "anna" pairs better with "anne" than with "hanna": the weakest pair decides.
    expect(names("Anna Hanna", "Hanna Anne")).toBeCloseTo(jaroWinkler("anna", "anne"), 12);
  });
});
