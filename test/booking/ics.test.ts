import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { bookingUid, buildIcs, type IcsEvent } from "../../workers/modules/booking/ics";

const base: IcsEvent = {
  method: "REQUEST",
  uid: bookingUid("0190a000-0000-7000-8000-000000000001"),
  sequence: 0,
  start: new Date("2026-12-05T08:00:00.000Z"),
  end: new Date("2026-12-05T09:00:00.000Z"),
  summary: "Portrait session with Zoé Martin",
  description: "Manage or cancel: http://lightbox.test/book/manage/abc",
  url: "http://lightbox.test/book/manage/abc",
  organizer: { name: "Zoé Martin", email: "zoe@studio.test" },
  attendee: { name: "Sam Guest", email: "sam@client.test" },
  status: "CONFIRMED",
  dtstamp: new Date("2026-11-20T10:11:12.345Z"),
};

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevent = calendar.getFirstSubcomponent("vevent")!;
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

const octets = (line: string) => new TextEncoder().encode(line).length;

describe("buildIcs", () => {
  it("writes an RFC 5545 calendar that a real iCalendar parser reads back field by field", () => {
    const ics = buildIcs(base);
    const { calendar, vevent, event } = parse(ics);
    expect(calendar.getFirstPropertyValue("prodid")).toBe("-//Lightbox//Booking//EN");
    expect(calendar.getFirstPropertyValue("version")).toBe("2.0");
    expect(calendar.getFirstPropertyValue("calscale")).toBe("GREGORIAN");
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(event.uid).toBe("0190a000-0000-7000-8000-000000000001@lightbox");
    expect(event.sequence).toBe(0);
    expect(event.startDate.toJSDate().toISOString()).toBe("2026-12-05T08:00:00.000Z");
    expect(event.endDate.toJSDate().toISOString()).toBe("2026-12-05T09:00:00.000Z");
    expect(event.startDate.zone?.tzid).toBe("UTC");
    expect(vevent.getFirstPropertyValue("dtstamp")?.toString()).toBe("2026-11-20T10:11:12Z");
    expect(event.summary).toBe("Portrait session with Zoé Martin");
    expect(event.description).toBe("Manage or cancel: http://lightbox.test/book/manage/abc");
    expect(vevent.getFirstPropertyValue("url")).toBe("http://lightbox.test/book/manage/abc");
    expect(vevent.getFirstPropertyValue("status")).toBe("CONFIRMED");

    const organizer = vevent.getFirstProperty("organizer")!;
    expect(organizer.getFirstValue()).toBe("mailto:zoe@studio.test");
    expect(organizer.getParameter("cn")).toBe("Zoé Martin");
    const [attendee] = event.attendees;
    expect(attendee!.getFirstValue()).toBe("mailto:sam@client.test");
    expect(attendee!.getParameter("cn")).toBe("Sam Guest");
    expect(attendee!.getParameter("role")).toBe("REQ-PARTICIPANT");
    expect(attendee!.getParameter("partstat")).toBe("NEEDS-ACTION");
    expect(attendee!.getParameter("rsvp")).toBe("FALSE");
  });

  it("ends every line with CRLF and writes times as UTC without fractions", () => {
    const ics = buildIcs(base);
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(ics).toContain("\r\nDTSTART:20261205T080000Z\r\n");
    expect(ics).toContain("\r\nDTEND:20261205T090000Z\r\n");
    expect(ics).toContain("\r\nDTSTAMP:20261120T101112Z\r\n");
  });

  it("folds long lines at 75 octets without splitting a multi-byte character, and the parser unfolds them", () => {
    // Two-, three- and four-byte characters in a row, so every fold lands near one.
    const summary = `Séance photo ${"éà€😀".repeat(30)} fin`;
    const description = `Ligne un; deux, trois\n${"x".repeat(200)}\\end`;
    const ics = buildIcs({ ...base, summary, description, organizer: { name: `Studio ${"Ø".repeat(60)}`, email: "zoe@studio.test" } });
    const lines = ics.split("\r\n").slice(0, -1);
    for (const line of lines) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      // A character split across lines would leave half a surrogate pair at a line's end or start.
      expect(line).not.toMatch(/[\uD800-\uDBFF]$|^ ?[\uDC00-\uDFFF]/);
    }
    expect(lines.filter((line) => line.startsWith(" ")).length).toBeGreaterThan(5);
    // Folding fills lines: a folded line is followed by a continuation only when the next character did not fit.
    const summaryStart = lines.findIndex((line) => line.startsWith("SUMMARY:"));
    expect(octets(lines[summaryStart]!)).toBeGreaterThan(71);

    const { event, vevent } = parse(ics);
    expect(event.summary).toBe(summary);
    expect(event.description).toBe(description);
    expect(vevent.getFirstProperty("organizer")!.getParameter("cn")).toBe(`Studio ${"Ø".repeat(60)}`);
  });

  it("escapes TEXT and parameter values so they round-trip exactly", () => {
    const summary = 'Mariage; "Dupont, Durand" \\ shooting';
    const description = "Line one\r\nLine two, with; specials\\n literally\nLine three";
    const ics = buildIcs({
      ...base,
      summary,
      description,
      location: "12, rue de la Paix; Paris",
      organizer: { name: 'Studio "Lumière": Paris; ^caret', email: "zoe@studio.test" },
      attendee: { name: "Doe, Jane", email: "jane@client.test" },
    });
    expect(ics).toContain("SUMMARY:Mariage\\; \"Dupont\\, Durand\" \\\\ shooting\r\n");
    const { event, vevent } = parse(ics);
    expect(event.summary).toBe(summary);
    expect(event.description).toBe("Line one\nLine two, with; specials\\n literally\nLine three");
    expect(event.location).toBe("12, rue de la Paix; Paris");
    expect(vevent.getFirstProperty("organizer")!.getParameter("cn")).toBe('Studio "Lumière": Paris; ^caret');
    expect(event.attendees[0]!.getParameter("cn")).toBe("Doe, Jane");
    expect(event.attendees[0]!.getFirstValue()).toBe("mailto:jane@client.test");
  });

  it("cancels with METHOD:CANCEL, the same UID and a higher SEQUENCE", () => {
    const request = parse(buildIcs(base));
    const cancel = parse(buildIcs({ ...base, method: "CANCEL", sequence: 2, status: "CANCELLED" }));
    expect(cancel.calendar.getFirstPropertyValue("method")).toBe("CANCEL");
    expect(cancel.event.uid).toBe(request.event.uid);
    expect(cancel.event.sequence).toBeGreaterThan(request.event.sequence);
    expect(cancel.vevent.getFirstPropertyValue("status")).toBe("CANCELLED");
  });

  it("writes a tentative event for a booking the host has yet to confirm", () => {
    const { calendar, vevent } = parse(buildIcs({ ...base, status: "TENTATIVE" }));
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    expect(vevent.getFirstPropertyValue("status")).toBe("TENTATIVE");
  });
});
