import { describe, expect, it } from "vitest";
import { chunks } from "@shared/lib/chunk";
import { concatBytes, toHex } from "../../workers/modules/files/bytes";

describe("chunks (shared/lib/chunk.ts)", () => {
  it("cuts an array into consecutive slices of at most the given size", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);
    expect(chunks([], 90)).toEqual([]);
    const ids = Array.from({ length: 181 }, (_, i) => i);
    const parts = chunks(ids, 90);
    expect(parts.map((p) => p.length)).toEqual([90, 90, 1]);
    expect(parts.flat()).toEqual(ids);
  });

  it("refuses a size that would never advance", () => {
    expect(() => chunks([1], 0)).toThrow(RangeError);
    expect(() => chunks([1], 1.5)).toThrow(RangeError);
  });
});

describe("byte helpers of the files module", () => {
  it("joins chunks in order, skipping empty ones, without copying a lone chunk", () => {
    const a = new Uint8Array([1, 2]);
    const b = new Uint8Array([3]);
    expect(concatBytes([a, new Uint8Array(0), b])).toEqual(new Uint8Array([1, 2, 3]));
    expect(concatBytes([])).toEqual(new Uint8Array(0));
    expect(concatBytes([new Uint8Array(0), a])).toBe(a);
    const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
    expect(concatBytes([view, b])).toEqual(new Uint8Array([8, 7, 3]));
  });

  it("writes bytes as lower-case hex, from an array or a buffer", () => {
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe("000fff");
    expect(toHex(new Uint8Array([171, 205]).buffer)).toBe("abcd");
  });
});
