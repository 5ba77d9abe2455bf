// The iCalendar file (RFC 5545, with the iTIP methods of RFC 5546) a guest's calendar imports from a booking
// email. The UID stays the same for the booking's whole life and SEQUENCE grows with every change, so a
// calendar updates or removes the event it already has instead of adding another.

export interface IcsPerson {
  name: string;
  email: string;
}

export interface IcsEvent {
  method: "REQUEST" | "CANCEL";
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  organizer: IcsPerson;
  attendee: IcsPerson;
  status: "CONFIRMED" | "TENTATIVE" | "CANCELLED";
  dtstamp: Date;
}

/** The UID of a booking's event, stable across every email about it. */
export const bookingUid = (bookingId: string) => `${bookingId}@lightbox`;

const PRODID = "-//Lightbox//Booking//EN";
/** Octets per line before the CRLF (RFC 5545 §3.1); continuation lines spend one on their leading space. */
const LINE_OCTETS = 75;

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** `20261205T080000Z`. */
export const icsUtc = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");

/** TEXT values (§3.3.11): backslash, semicolon and comma escaped, every line break as `\n`, controls dropped. */
export const escapeText = (value: string) =>
  value
    .replace(/\r\n?/g, "\n")
    .replace(CONTROLS, "")
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, "\\n");

/** A parameter value, always quoted; the characters a quoted value cannot hold are caret-encoded (RFC 6868). */
const paramValue = (value: string) => `"${value.replace(/\r\n?/g, "\n").replace(/\^/g, "^^").replace(/"/g, "^'").replace(/\n/g, "^n").replace(CONTROLS, "")}"`;

/** URI values are written as they are: a control character would end the line early, so none survive. */
const uriValue = (value: string) => value.replace(/[\r\n]/g, "").replace(CONTROLS, "");

const mailto = (email: string) => `mailto:${uriValue(email)}`;

const encoder = new TextEncoder();

/** Folds a content line at 75 octets of UTF-8, never inside a character (§3.1). */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  let limit = LINE_OCTETS;
  for (const char of line) {
    const size = encoder.encode(char).length;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
      limit = LINE_OCTETS - 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

/** The whole calendar object: CRLF line endings, folded lines, one VEVENT. */
export function buildIcs(event: IcsEvent): string {
  const lines = [
    "BEGIN:VCALENDAR",
    `PRODID:${PRODID}`,
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    `METHOD:${event.method}`,
    "BEGIN:VEVENT",
    `UID:${escapeText(event.uid)}`,
    `SEQUENCE:${Math.max(0, Math.trunc(event.sequence))}`,
    `DTSTAMP:${icsUtc(event.dtstamp)}`,
    `DTSTART:${icsUtc(event.start)}`,
    `DTEND:${icsUtc(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
    ...(event.url ? [`URL:${uriValue(event.url)}`] : []),
    `ORGANIZER;CN=${paramValue(event.organizer.name)}:${mailto(event.organizer.email)}`,
    `ATTENDEE;CN=${paramValue(event.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:${mailto(event.attendee.email)}`,
    `STATUS:${event.status}`,
    "TRANSP:OPAQUE",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
