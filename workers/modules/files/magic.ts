/**
 * What a file is, judged by its first bytes alone: the name and the type a client declares are ignored.
 * The table knows the types a studio uploads (config UPLOAD_ALLOWED_TYPES) and a few it must refuse by name
 * (executables, scripts, markup), so a refusal can say what was sent.
 */

/** How many leading bytes `detectType` looks at (an ISO-BMFF `ftyp` box lists its brands within these). */
export const SNIFF_BYTES = 256;

export const UNKNOWN_TYPE = "application/octet-stream";

const ascii = (bytes: Uint8Array, offset: number, length: number) => String.fromCharCode(...bytes.subarray(offset, offset + length));
const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
const text = (value: string) => [...value].map((c) => c.charCodeAt(0));

/** Fixed signatures at offset 0, first match wins. Camera raws built on TIFF (CR2, NEF, ARW, DNG, PEF) carry
 *  the TIFF header itself; ORF and RW2 use their own TIFF byte-order marks. All are offered as image/tiff. */
const signatures: { type: string; bytes: readonly number[] }[] = [
  { type: "image/jpeg", bytes: [0xff, 0xd8, 0xff] },
  { type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/gif", bytes: text("GIF87a") },
  { type: "image/gif", bytes: text("GIF89a") },
  { type: "image/tiff", bytes: [0x49, 0x49, 0x2a, 0x00] }, // II*\0, little-endian TIFF
  { type: "image/tiff", bytes: [0x4d, 0x4d, 0x00, 0x2a] }, // MM\0*, big-endian TIFF
  { type: "image/tiff", bytes: [0x49, 0x49, 0x2b, 0x00] }, // BigTIFF
  { type: "image/tiff", bytes: [0x4d, 0x4d, 0x00, 0x2b] },
  { type: "image/tiff", bytes: text("IIRO") }, // Olympus ORF
  { type: "image/tiff", bytes: text("IIRS") },
  { type: "image/tiff", bytes: text("MMOR") },
  { type: "image/tiff", bytes: [0x49, 0x49, 0x55, 0x00] }, // Panasonic RW2
  { type: "application/pdf", bytes: text("%PDF-") },
  { type: "application/zip", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: "application/zip", bytes: [0x50, 0x4b, 0x05, 0x06] }, // empty archive
  { type: "application/zip", bytes: [0x50, 0x4b, 0x07, 0x08] }, // spanned archive
  // Refused by default, named so the refusal is clear.
  { type: "application/x-executable", bytes: [0x7f, 0x45, 0x4c, 0x46] }, // ELF
  { type: "application/x-msdownload", bytes: text("MZ") }, // Windows PE
  { type: "application/x-mach-binary", bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { type: "application/x-mach-binary", bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { type: "application/x-mach-binary", bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { type: "text/x-shellscript", bytes: text("#!") },
  { type: "application/gzip", bytes: [0x1f, 0x8b] },
  { type: "application/x-7z-compressed", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: "application/vnd.rar", bytes: text("Rar!\x1a\x07") },
  { type: "image/bmp", bytes: text("BM") },
];

/** ISO base media file format brands (the `ftyp` box): still images (HEIF family) and video. */
const avifBrands = new Set(["avif", "avis"]);
const heicBrands = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs"]);
const heifBrands = new Set(["mif1", "msf1"]);
const quicktimeBrands = new Set(["qt  "]);
const mp4Brands = new Set(["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso8", "iso9", "mp41", "mp42", "mp71", "avc1", "dash", "M4V ", "M4VH", "M4VP", "f4v ", "mmp4", "MSNV", "NDAS", "XAVC"]);
const otherBrands: Record<string, string> = { "M4A ": "audio/mp4", "M4B ": "audio/mp4", "crx ": "image/x-canon-cr3", "3gp4": "video/3gpp", "3gp5": "video/3gpp", "3g2a": "video/3gpp2" };

function ftypType(bytes: Uint8Array): string | null {
  if (bytes.length < 12 || ascii(bytes, 4, 4) !== "ftyp") return null;
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const major = ascii(bytes, 8, 4);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= Math.min(boxSize, bytes.length); at += 4) compatible.push(ascii(bytes, at, 4));
  const any = (set: Set<string>) => compatible.some((brand) => set.has(brand));
  if (avifBrands.has(major)) return "image/avif";
  if (heicBrands.has(major)) return "image/heic";
  if (heifBrands.has(major)) return any(avifBrands) ? "image/avif" : any(heicBrands) ? "image/heic" : "image/heif";
  if (quicktimeBrands.has(major)) return "video/quicktime";
  if (mp4Brands.has(major)) return "video/mp4";
  if (otherBrands[major]) return otherBrands[major]!;
  // An unfamiliar major brand that declares itself compatible with a known family.
  if (any(quicktimeBrands)) return "video/quicktime";
  if (any(mp4Brands)) return "video/mp4";
  return null;
}

function markupType(bytes: Uint8Array): string | null {
  const from = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0; // a UTF-8 byte order mark
  const head = ascii(bytes, from, SNIFF_BYTES).trimStart().toLowerCase();
  if (head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<script")) return "text/html";
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) return "image/svg+xml";
  return null;
}

/** The MIME type the leading bytes announce, or `application/octet-stream` when nothing in the table matches. */
export function detectType(bytes: Uint8Array): string {
  if (startsWith(bytes, text("RIFF")) && ascii(bytes, 8, 4) === "WEBP") return "image/webp";
  const ftyp = ftypType(bytes);
  if (ftyp) return ftyp;
  for (const { type, bytes: signature } of signatures) if (startsWith(bytes, signature)) return type;
  return markupType(bytes) ?? UNKNOWN_TYPE;
}

const extensions: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/heic": "heic",
  "image/heif": "heif",
  "image/avif": "avif",
  "image/tiff": "tif",
  "application/pdf": "pdf",
  "application/zip": "zip",
  "video/mp4": "mp4",
  "video/quicktime": "mov",
};

/** The usual extension of a detected type ("jpg"), or null when there is none worth offering. */
export const extensionOf = (type: string): string | null => extensions[type] ?? null;
