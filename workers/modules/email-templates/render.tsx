// The `{{variable}}` language of studio templates: parsed strictly (a stray `{{` or an unknown name is the
// studio's typo, caught when it saves rather than sent to a client), rendered twice: the text part with the
// values as they are, the HTML part through JSX, which escapes every value.
import type { Child } from "hono/jsx";
import type { EmailTemplateKind } from "@shared/db/schema";
import type { FieldError } from "@shared/lib/errors";
import { EmailButton, EmailLayout } from "../../templates/emails/layout";
import { renderHtml, type RenderedEmail } from "../../templates/emails/render";
import { kinds } from "./catalogue";

/** Values for `{{variables}}`: nested objects (`client.firstName`). Missing values render as "". */
export type TemplateValues = Record<string, Record<string, string | number | null | undefined>>;
export type RenderedTemplate = RenderedEmail;

type Segment = { text: string } | { variable: string };

const NAME = /^[A-Za-z]+\.[A-Za-z]+$/;

/** The template as literal text and variables, or the first syntax problem in it. */
export function parseTemplate(source: string): { segments: Segment[] } | { error: string } {
  const segments: Segment[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf("{{", at);
    if (open < 0) {
      segments.push({ text: source.slice(at) });
      break;
    }
    if (open > at) segments.push({ text: source.slice(at, open) });
    const close = source.indexOf("}}", open + 2);
    if (close < 0) return { error: `"{{" at character ${open + 1} is never closed with "}}"` };
    const inner = source.slice(open + 2, close);
    const name = inner.trim();
    if (inner.includes("{") || !NAME.test(name)) return { error: `"{{${inner}}}" is not a variable: write it as {{group.name}}, e.g. {{client.firstName}}` };
    segments.push({ variable: name });
    at = close + 2;
  }
  return { segments };
}

/** The problems of one template field (`path` like `body.subject`), each naming the offending variable. */
export function templateErrors(kind: EmailTemplateKind, path: string, source: string): FieldError[] {
  const parsed = parseTemplate(source);
  if ("error" in parsed) return [{ path, message: parsed.error }];
  const known = kinds[kind].variables;
  const unknown = [...new Set(parsed.segments.flatMap((s) => ("variable" in s && !(s.variable in known) ? [s.variable] : [])))];
  return unknown.map((name) => ({
    path,
    message: `unknown variable {{${name}}}; ${kind} emails can use ${Object.keys(known)
      .map((n) => `{{${n}}}`)
      .join(", ")}`,
  }));
}

/** A queue message is capped at 128 KB: an email's words stay under this, leaving room for the rest of its job. */
export const EMAIL_MAX_BYTES = 96 * 1024;

/** What the subject, text and HTML weigh inside a queue message (JSON, UTF-8). */
export const emailBytes = (email: { subject: string; text: string; html?: string | undefined }) =>
  new TextEncoder().encode(JSON.stringify([email.subject, email.text, email.html ?? ""])).byteLength;

/** A send path's email came out too large to queue: retrying cannot help, so callers record it instead. */
export class EmailTooLargeError extends Error {
  constructor(bytes: number) {
    super(`The email would be ${Math.ceil(bytes / 1024)} KB, over the ${EMAIL_MAX_BYTES / 1024} KB an email may weigh: shorten the template or the message`);
    this.name = "EmailTooLargeError";
  }
}

export function assertEmailFits<T extends { subject: string; text: string; html?: string | undefined }>(email: T): T {
  const bytes = emailBytes(email);
  if (bytes > EMAIL_MAX_BYTES) throw new EmailTooLargeError(bytes);
  return email;
}

/** Every variable at its longest, made of the character that grows most once HTML-escaped and JSON-encoded
 *  (`"`: `&quot;` in the HTML, `\"` in the message); links of `&` (`&amp;` in the href). */
function longestValues(kind: EmailTemplateKind): TemplateValues {
  const values: TemplateValues = {};
  for (const [name, spec] of Object.entries(kinds[kind].variables)) {
    const [group, key] = name.split(".") as [string, string];
    (values[group] ??= {})[key] = spec.url ? `https://p.example/?${"&".repeat(spec.maxLength - 19)}` : '"'.repeat(spec.maxLength);
  }
  return values;
}

/**
 * What only shows once a valid template is filled in: a kind with a portal link whose body leaves it out (the
 * client would have no way in), and an email that would outgrow a queue message with the longest values its
 * variables can hold. Reported at `body.body`.
 */
export function renderedErrors(kind: EmailTemplateKind, source: { subject: string; body: string }): FieldError[] {
  const errors: FieldError[] = [];
  const body = parseTemplate(source.body);
  if ("portal.url" in kinds[kind].variables && "segments" in body && !body.segments.some((s) => "variable" in s && s.variable === "portal.url")) {
    errors.push({ path: "body.body", message: `must contain {{portal.url}}: it is the client's only way into the portal from a ${kind} email` });
  }
  const bytes = emailBytes(renderSource(kind, source, longestValues(kind)));
  if (bytes > EMAIL_MAX_BYTES) {
    errors.push({
      path: "body.body",
      message: `with its variables at their longest the email would weigh ${Math.ceil(bytes / 1024)} KB, over the ${EMAIL_MAX_BYTES / 1024} KB limit: shorten the text or use fewer variables`,
    });
  }
  return errors;
}

function valueOf(values: TemplateValues, name: string): string {
  const [group, key] = name.split(".") as [string, string];
  const value = values[group]?.[key];
  return value === null || value === undefined ? "" : String(value);
}

/** A template filled in, its HTML part still to be framed: for emails that add their own parts around it. */
export interface RenderedParts {
  subject: string;
  text: string;
  /** The body's paragraphs (values escaped), to place inside an EmailLayout. */
  content: Child[];
}

/** Fills in a template already known to be valid (a stored or default one). */
export function renderParts(kind: EmailTemplateKind, source: { subject: string; body: string }, values: TemplateValues): RenderedParts {
  const subjectSegments = segmentsOf(source.subject);
  const bodySegments = segmentsOf(source.body);
  const fill = (segments: Segment[]) => segments.map((s) => ("text" in s ? s.text : valueOf(values, s.variable))).join("");
  const subject = fill(subjectSegments).replace(/\s+/g, " ").trim().slice(0, 998) || "(no subject)";
  const text = fill(bodySegments).replace(/\r\n?/g, "\n").trim();
  return { subject, text, content: paragraphs(kind, bodySegments, values) };
}

/** The whole email: the filled-in body inside the layout every email shares. */
export function renderSource(kind: EmailTemplateKind, source: { subject: string; body: string }, values: TemplateValues): RenderedTemplate {
  const { subject, text, content } = renderParts(kind, source, values);
  return { subject, text, html: renderHtml(<EmailLayout title={subject}>{content}</EmailLayout>) };
}

function segmentsOf(source: string): Segment[] {
  const parsed = parseTemplate(source);
  // Saved templates were validated; a stored one that no longer parses is sent as written rather than lost.
  return "error" in parsed ? [{ text: source }] : parsed.segments;
}

type Piece = { text: string } | { url: string };

const isHttpUrl = (value: string) => /^https?:\/\/\S+$/i.test(value);

/** The body as paragraphs (split at blank lines, in the template or in a value), lines broken with <br>. */
function paragraphs(kind: EmailTemplateKind, segments: Segment[], values: TemplateValues): Child[] {
  const specs = kinds[kind].variables;
  const blocks: Piece[][] = [[]];
  const push = (piece: Piece) => blocks[blocks.length - 1]!.push(piece);
  for (const segment of segments) {
    if ("variable" in segment) {
      const value = valueOf(values, segment.variable);
      if (specs[segment.variable]?.url && isHttpUrl(value)) {
        push({ url: value });
        continue;
      }
      splitText(value.replace(/\r\n?/g, "\n"), blocks);
      continue;
    }
    splitText(segment.text.replace(/\r\n?/g, "\n"), blocks);
  }
  return blocks
    .map((block) => trimBlock(block))
    .filter((block) => block.length > 0)
    .map((block) => {
      const [only] = block;
      if (block.length === 1 && only && "url" in only) return <EmailButton href={only.url} label={kinds[kind].buttonLabel} />;
      return <p style="margin:0 0 16px;line-height:1.5">{block.flatMap(inline)}</p>;
    });
}

function splitText(text: string, blocks: Piece[][]): void {
  text.split(/\n[ \t]*\n\s*/).forEach((part, i) => {
    if (i > 0) blocks.push([]);
    if (part) blocks[blocks.length - 1]!.push({ text: part });
  });
}

/** Drops the whitespace a paragraph starts or ends with, so a lone link still counts as alone. */
function trimBlock(block: Piece[]): Piece[] {
  const pieces = block.map((piece) => ("text" in piece ? { text: piece.text } : piece));
  const first = pieces[0];
  if (first && "text" in first) first.text = first.text.replace(/^\s+/, "");
  const last = pieces.at(-1);
  if (last && "text" in last) last.text = last.text.replace(/\s+$/, "");
  return pieces.filter((piece) => !("text" in piece) || piece.text !== "");
}

function inline(piece: Piece): Child[] {
  if ("url" in piece) return [<a href={piece.url}>{piece.url}</a>];
  return piece.text.split("\n").flatMap((line, i) => (i === 0 ? [line] : [<br />, line]));
}
