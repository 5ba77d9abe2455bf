import { describe, expect, it } from "vitest";
import { auditedBatch } from "@shared/db/audited";
import { emailTemplates } from "@shared/db/schema";
import { newId } from "@shared/lib/ids";
import { announcementKey, enqueueBookingAnnouncement } from "../../workers/modules/booking/announce";
import { db, hostActor, icsOf, newBooking, newHost, plain, recordingDeps, runJob, settledMails } from "../booking/announce-helpers";

describe("BOOKING_CONFIRMED", () => {
  it("opens the guest's confirmation in the host's words, keeping the calendar file and the manage link", async () => {
    const host = await newHost({ companyName: "Studio Lumière" });
    const now = new Date();
    await auditedBatch(db, hostActor(host.id), [
      db.insert(emailTemplates).values({
        id: newId(),
        ownerId: host.id,
        kind: "BOOKING_CONFIRMED",
        subject: "See you soon, {{client.firstName}}! {{studio.name}}",
        body: "Dear {{client.fullName}},\n\n{{booking.summary}}: {{booking.start}}.",
        createdAt: now,
        updatedAt: now,
      }),
    ]);
    const booking = await newBooking(host.id, { startAt: new Date("2026-12-05T14:00:00.000Z"), guestName: "Sam <Guest>" });
    const recording = recordingDeps();
    const payload = { bookingId: booking.id, kind: "CREATED" as const, by: "GUEST" as const, sequence: 0, cancelToken: "tok-own-words" };
    await enqueueBookingAnnouncement(recording.deps.env, payload);
    const job = recording.ofType("booking.announce").find((j) => j.body.key === announcementKey(payload))!;
    expect(await runJob(recording.deps, job)).toEqual({ action: "ack" });

    const [mail, ...more] = await settledMails(booking.guestEmail, recording.sent);
    expect(more).toHaveLength(0);
    // {{studio.name}} means what it means in every kind: the company name, else the owner's name.
    expect(mail!.subject).toBe("See you soon, Sam! Studio Lumière");
    const text = plain(mail!.text);
    expect(text).toMatch(/^Dear Sam <Guest>,  Portrait session with Zoé Martin \(Studio Lumière\): Saturday, December 5, 2026, 3:00 – 4:00 PM \(Europe\/Paris, GMT\+01:00\)\./);
    expect(text).toContain("http://lightbox.test/book/manage/tok-own-words");
    expect(mail!.html).toContain("Dear Sam &lt;Guest&gt;,");
    expect(mail!.html).toContain('href="http://lightbox.test/book/manage/tok-own-words"');
    expect(await icsOf(mail!)).toMatchObject({ method: "REQUEST", status: "CONFIRMED", uid: `${booking.id}@lightbox` });
  });
});
