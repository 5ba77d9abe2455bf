import { ApiError, validationFailed } from "@shared/lib/errors";
import { concatBytes } from "./bytes";

/**
 * A streaming reader for multipart/form-data (RFC 7578) that hands over one file field as it arrives:
 * `Request.formData()` would hold the whole body in memory before the size or the type could be checked.
 * Fields before the file are skipped (their bytes count against `maxOtherBytes`); nothing after it is read.
 */

export interface FilePart {
  /** The client's file name (filename* preferred over filename), undecoded path and all. */
  filename: string;
  /** The bytes of the file, read from the request as they are pulled. */
  chunks: AsyncGenerator<Uint8Array, void, undefined>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();

const malformed = (message: string) => validationFailed([{ path: "body", message }], "The multipart/form-data body is malformed");

/** The boundary of a `multipart/form-data` Content-Type, or null for any other type. */
export function boundaryOf(contentType: string | undefined): string | null {
  const [mediaType, ...params] = (contentType ?? "").split(";");
  if (mediaType?.trim().toLowerCase() !== "multipart/form-data") return null;
  for (const param of params) {
    const match = param.trim().match(/^boundary=(?:"([^"]{1,70})"|([^\s";]{1,70}))$/i);
    if (match) return match[1] ?? match[2]!;
  }
  throw malformed("the Content-Type has no valid boundary parameter");
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** `name="x"` or `filename*=UTF-8''%E2%82%AC.jpg` from a Content-Disposition header (RFC 6266 / 5987). */
function dispositionParam(header: string, name: string): string | null {
  const extended = header.match(new RegExp(`;\\s*${name}\\*\\s*=\\s*([^']*)'[^']*'([^;\\s]*)`, "i"));
  if (extended && /^utf-8$/i.test(extended[1]!)) {
    try {
      return decodeURIComponent(extended[2]!);
    } catch {
      // A badly encoded extended value falls back to the plain parameter.
    }
  }
  const quoted = header.match(new RegExp(`;\\s*${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, "i"));
  // Browsers escape `"`, CR and LF in file names as %22, %0D and %0A (HTML's form encoding); older clients
  // backslash-escape inside the quotes (RFC 2616 quoted-string).
  if (quoted) return quoted[1]!.replace(/\\(.)/g, "$1").replace(/%(22|0d|0a)/gi, (escape) => decodeURIComponent(escape));
  const token = header.match(new RegExp(`;\\s*${name}\\s*=\\s*([^;\\s]+)`, "i"));
  return token ? token[1]! : null;
}

class PartReader {
  // The CRLF in front lets the first boundary line match the same delimiter as every later one.
  private buffer: Uint8Array = CRLF;
  private done = false;
  private otherBytes = 0;
  private readonly delimiter: Uint8Array;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    boundary: string,
    private readonly maxOtherBytes: number,
  ) {
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const { value, done } = await this.reader.read();
    if (done) {
      this.done = true;
      return false;
    }
    this.buffer = concatBytes([this.buffer, value]);
    return true;
  }

  private skip(count: number) {
    this.otherBytes += count;
    if (this.otherBytes > this.maxOtherBytes) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `The form fields around the file exceed ${this.maxOtherBytes} bytes`);
    }
    this.buffer = this.buffer.subarray(count);
  }

  /** Skips to just past the next delimiter; false when the body ends first. */
  private async skipToDelimiter(): Promise<boolean> {
    for (;;) {
      const at = indexOf(this.buffer, this.delimiter);
      if (at !== -1) {
        this.skip(at + this.delimiter.length);
        return true;
      }
      this.skip(Math.max(0, this.buffer.length - this.delimiter.length + 1));
      if (!(await this.fill())) return false;
    }
  }

  /** After a delimiter: the part's headers (lower-cased names), or null at the closing delimiter. */
  private async headers(): Promise<Map<string, string> | null> {
    while (this.buffer.length < 2) if (!(await this.fill())) throw malformed("the body ends inside a boundary line");
    if (this.buffer[0] === 0x2d && this.buffer[1] === 0x2d) return null;
    let end: number;
    while ((end = indexOf(this.buffer, HEADER_END)) === -1) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw malformed(`a part's headers exceed ${MAX_HEADER_BYTES} bytes`);
      if (!(await this.fill())) throw malformed("the body ends inside a part's headers");
    }
    // The boundary line may carry trailing whitespace (RFC 2046 transport padding) before its CRLF.
    const block = new TextDecoder().decode(this.buffer.subarray(0, end)).replace(/^[ \t]*\r\n/, "");
    this.skip(end + HEADER_END.length);
    const headers = new Map<string, string>();
    for (const line of block.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return headers;
  }

  /** The current part's bytes up to the next delimiter; a body that ends first is an error. */
  async *body(): AsyncGenerator<Uint8Array, void, undefined> {
    const keep = this.delimiter.length - 1;
    for (;;) {
      const at = indexOf(this.buffer, this.delimiter);
      if (at !== -1) {
        if (at > 0) yield this.buffer.slice(0, at);
        this.buffer = this.buffer.subarray(at);
        return;
      }
      // Everything but a tail that could be the start of the delimiter is file content.
      if (this.buffer.length > keep) {
        const ready = this.buffer.slice(0, this.buffer.length - keep);
        this.buffer = this.buffer.subarray(this.buffer.length - keep);
        yield ready;
      }
      if (!(await this.fill())) throw malformed("the body ends before the file's closing boundary");
    }
  }

  async findFile(field: string): Promise<FilePart | null> {
    while (await this.skipToDelimiter()) {
      const headers = await this.headers();
      if (!headers) return null;
      const disposition = headers.get("content-disposition") ?? "";
      if (!/^form-data\b/i.test(disposition) || dispositionParam(disposition, "name") !== field) continue;
      const filename = dispositionParam(disposition, "filename");
      if (filename === null) {
        throw validationFailed([{ path: `body.${field}`, message: "must be a file (a part with a filename), not a text field" }]);
      }
      return { filename, chunks: this.body() };
    }
    throw malformed("the body ends without its closing boundary");
  }
}

/**
 * The first part of `body` named `field`, or null when the form has none. `maxOtherBytes` bounds what is read
 * before it (preamble, other fields, headers): the file's own size is for the caller to bound while pulling.
 */
export async function findFilePart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  field: string,
  maxOtherBytes: number,
): Promise<FilePart | null> {
  return new PartReader(body.getReader(), boundary, maxOtherBytes).findFile(field);
}
