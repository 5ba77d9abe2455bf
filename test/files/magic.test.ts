import { describe, expect, it } from "vitest";
import { contentDisposition, parseRange } from "../../workers/modules/files/download";
import { detectType } from "../../workers/modules/files/magic";
import { sanitizeName } from "../../workers/modules/files/names";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** An ISO-BMFF `ftyp` box: size, "ftyp", major brand, minor version, compatible brands. */
const ftyp = (major: string, ...compatible: string[]) => bytes(u32(16 + 4 * compatible.length), "ftyp", major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], "mdat");

describe("magic bytes", () => {
  it.each([
    ["image/jpeg", bytes([0xff, 0xd8, 0xff, 0xdb], "rest")],
    ["image/png", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a])],
    ["image/gif", bytes("GIF89a", [1, 0, 1, 0])],
    ["image/gif", bytes("GIF87a")],
    ["image/webp", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 ")],
    ["image/heic", ftyp("heic", "mif1", "heic")],
    ["image/heic", ftyp("mif1", "mif1", "heic", "miaf")],
    ["image/avif", ftyp("avif", "mif1", "avif")],
    ["image/avif", ftyp("mif1", "avif", "mif1")],
    ["image/heif", ftyp("mif1", "mif1")],
    ["video/mp4", ftyp("isom", "isom", "iso2", "avc1", "mp41")],
    ["video/mp4", ftyp("mp42", "mp42", "isom")],
    ["video/mp4", ftyp("abcd", "isom")],
    ["video/quicktime", ftyp("qt  ", "qt  ")],
    ["audio/mp4", ftyp("M4A ", "M4A ", "mp42")],
    ["image/x-canon-cr3", ftyp("crx ", "crx ", "isom")],
    ["image/tiff", bytes("II*", [0], [8, 0, 0, 0])],
    ["image/tiff", bytes("MM", [0, 42])],
    ["image/tiff", bytes("II*", [0, 0x10, 0, 0, 0], "CR", [2, 0])], // Canon CR2
    ["image/tiff", bytes("IIRO", [8, 0, 0, 0])], // Olympus ORF
    ["image/tiff", bytes("IIU", [0, 0x18, 0, 0, 0])], // Panasonic RW2
    ["application/pdf", bytes("%PDF-1.4\n")],
    ["application/zip", bytes("PK", [3, 4, 20, 0])],
    ["application/zip", bytes("PK", [5, 6], [0, 0, 0, 0])],
    ["application/x-executable", bytes([0x7f], "ELF", [2, 1, 1])],
    ["application/x-msdownload", bytes("MZ", [0x90, 0])],
    ["application/x-mach-binary", bytes([0xcf, 0xfa, 0xed, 0xfe])],
    ["text/x-shellscript", bytes("#!/bin/sh\nrm -rf /")],
    ["application/gzip", bytes([0x1f, 0x8b, 8])],
    ["text/html", bytes([0xef, 0xbb, 0xbf], "  <!DOCTYPE html><html>")],
    ["image/svg+xml", bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">')],
    ["application/octet-stream", bytes("hello, plain text")],
    ["application/octet-stream", bytes([0xff, 0xd8])], // too short to be a JPEG
    ["application/octet-stream", bytes()],
  ])("detects %s", (type, content) => {
    expect(detectType(content)).toBe(type);
  });
});

describe("names", () => {
  it("keep what is safe and drop the rest", () => {
    expect(sanitizeName("..\\..\\windows\\system32\\evil.dll")).toBe("evil.dll");
    expect(sanitizeName("photo\u0000.png")).toBe("photo.png");
    expect(sanitizeName("  many   spaces\n\there.png  ")).toBe("many spaces here.png");
    expect(sanitizeName("e\u0301lodie.png")).toBe("élodie.png");
    expect(sanitizeName("zero\u200Bwidth.png")).toBe("zerowidth.png");
    expect(sanitizeName("LPT1")).toBe("_LPT1");
    expect(sanitizeName("x".repeat(300))).toHaveLength(200);
    expect(sanitizeName(`${"a".repeat(250)}.${"b".repeat(30)}`)).toHaveLength(200);
  });

  it("are offered on download with an ASCII fallback and the exact UTF-8 name", () => {
    expect(contentDisposition("Élodie (1)'s 婚礼*.png")).toBe(
      `attachment; filename="Elodie (1)'s *.png"; filename*=UTF-8''%C3%89lodie%20%281%29%27s%20%E5%A9%9A%E7%A4%BC%2A.png`,
    );
    expect(contentDisposition("婚礼")).toBe(`attachment; filename="file"; filename*=UTF-8''%E5%A9%9A%E7%A4%BC`);
  });
});

describe("ranges", () => {
  it("serve one satisfiable bytes= range and ignore everything else", () => {
    expect(parseRange("bytes=0-0", 10)).toEqual({ offset: 0, length: 1 });
    expect(parseRange("bytes=5-", 10)).toEqual({ offset: 5, length: 5 });
    expect(parseRange("bytes=5-100", 10)).toEqual({ offset: 5, length: 5 });
    expect(parseRange("bytes=-3", 10)).toEqual({ offset: 7, length: 3 });
    expect(parseRange("bytes=-30", 10)).toEqual({ offset: 0, length: 10 });
    for (const header of [null, "bytes=10-", "bytes=5-4", "bytes=-0", "bytes=-", "bytes=1-2,4-5", "lines=1-2"]) expect(parseRange(header, 10)).toBeNull();
  });
});
