import { extensionOf } from "./magic";

/** Longest stored name, in code points: every file system and Content-Disposition consumer copes with it. */
export const MAX_NAME_LENGTH = 200;

// Reserved on Windows or meaningful to shells and URLs; replaced so "a:b.jpg" stays readable as "a_b.jpg".
const RESERVED = /[<>:"/\\|?*]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * A file name safe to store and to offer on download: no directories (only the last path segment of
 * "../../etc/passwd" survives), no control or bidi-override characters (which can disguise "gpj.exe" as
 * "exe.jpg"), no reserved characters, no leading dots or trailing dots and spaces, whitespace collapsed,
 * at most MAX_NAME_LENGTH code points with the extension kept. Letters of every script are kept.
 * Returns "" when nothing is left; see `nameOrFallback`.
 */
export function sanitizeName(raw: string): string {
  const lastSegment = raw.normalize("NFC").split(/[/\\]/).pop() ?? "";
  let name = lastSegment
    .replace(/\s+/gu, " ")
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, "")
    .replace(RESERVED, "_")
    .replace(/^[\s.]+|[\s.]+$/gu, "");
  if (WINDOWS_DEVICE.test(name)) name = `_${name}`;
  return truncate(name);
}

function truncate(name: string): string {
  const chars = [...name];
  if (chars.length <= MAX_NAME_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  if (extension.length > 0 && extension.length <= 16) {
    return chars.slice(0, MAX_NAME_LENGTH - extension.length).join("").trimEnd() + extension.join("");
  }
  return chars.slice(0, MAX_NAME_LENGTH).join("").trimEnd();
}

/** The sanitized name, or "file" with the extension of the detected type when nothing usable was given. */
export function nameOrFallback(sanitized: string, contentType: string): string {
  if (sanitized) return sanitized;
  const extension = extensionOf(contentType);
  return extension ? `file.${extension}` : "file";
}
