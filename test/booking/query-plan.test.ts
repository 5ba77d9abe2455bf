import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "@shared/lib/pagination";
import { availabilityQueries } from "../../workers/modules/booking/availability";
import { bookingListQuery } from "../../workers/modules/booking/bookings";
import { book, dailyMorning, db, localDateIn, newHost, type TestHost } from "./helpers";
import { planOf } from "../support/query-plan";

describe("booking query plans", () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await newHost();
    await dailyMorning(host);
    for (const time of ["09:00", "10:00"]) await book(host.handle, `${localDateIn(2)}T${time}:00.000Z`);
  });

  const base = { limit: 20 } as const;
  for (const [name, query] of [
    ["all", base],
    ["a range and a status", { ...base, from: new Date(), to: new Date(Date.now() + 86_400_000 * 30), status: "CONFIRMED" as const }],
    ["after a cursor", { ...base, cursor: encodeCursor([Date.now(), "0190a000-0000-7000-8000-000000000000"]) }],
  ] as const) {
    it(`the host's bookings (${name}): bookings_owner_start_idx in order, no sort step`, async () => {
      const plan = await planOf(bookingListQuery(db, host.id, query));
      expect(plan).toMatch(/SEARCH bookings USING INDEX bookings_owner_start_idx \(owner_id=\?/);
      expect(plan).not.toContain("TEMP B-TREE");
    });
  }

  it("one availability answer: every read by an index on the host", async () => {
    const now = Date.now();
    const queries = availabilityQueries(db, host.id, { from: now, to: now + 31 * 86_400_000, loadFrom: new Date(now - 86_400_000), loadTo: new Date(now + 33 * 86_400_000), now });
    const [rules, exceptions, booked, holds] = await Promise.all(queries.map(planOf));
    expect(rules).toMatch(/SEARCH availability_slots USING (COVERING )?INDEX availability_slots_owner_idx \(owner_id=\?\)/);
    expect(exceptions).toMatch(/SEARCH availability_exceptions USING INDEX availability_exceptions_owner_date_unique \(owner_id=\? AND date>\? AND date<\?\)/);
    expect(booked).toMatch(/SEARCH bookings USING INDEX bookings_owner_start_idx \(owner_id=\? AND start_at>\? AND start_at<\?\)/);
    expect(booked).not.toContain("TEMP B-TREE");
    expect(holds).toMatch(/SEARCH booking_holds USING INDEX booking_holds_host_start_idx \(host_id=\? AND start_at>\? AND start_at<\?\)/);
  });
});
