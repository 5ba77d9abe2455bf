import { beforeAll, describe, expect, it } from "vitest";
import { zonedRange } from "../../workers/modules/analytics/periods";
import {
  conversionQuery,
  invoicedByPeriodQuery,
  medianAcceptQuery,
  outstandingQuery,
  quotesSentQuery,
  receivedByPeriodQuery,
  receivedSplitQuery,
  sessionsByPeriodQuery,
  sessionsByStatusQuery,
  upcomingCountQuery,
  upcomingNextQuery,
} from "../../workers/modules/analytics/queries";
import { dashboardBounds } from "../../workers/modules/analytics/service";
import { NOW, ZONE, db, newStudio, seedStudio, type Studio } from "./fixture";
import { planOf } from "../support/query-plan";

const TABLES = ["quotes", "invoices", "payments", "sessions", "bookings"];
const noScan = (plan: string) => {
  for (const table of TABLES) expect(plan, plan).not.toMatch(new RegExp(`SCAN ${table}\\b`));
};

describe("analytics query plans: one index range per figure, never a scan", () => {
  let studio: Studio;
  beforeAll(async () => {
    studio = await newStudio();
    await seedStudio(studio);
  });

  it("the dashboard's queries", async () => {
    const b = dashboardBounds(ZONE, NOW);
    const plans = await Promise.all(
      [
        receivedSplitQuery(db, studio.id, b.yearMs, b.nextYearMs, b.monthMs, b.nextMonthMs),
        outstandingQuery(db, studio.id, b.today),
        quotesSentQuery(db, studio.id, b.yearMs, b.nextYearMs),
        sessionsByStatusQuery(db, studio.id, b.yearMs, b.nextYearMs),
        upcomingCountQuery(db, studio.id, NOW),
        upcomingNextQuery(db, studio.id, NOW, 5),
      ].map(planOf),
    );
    const [received, outstanding, quotesSent, sessionsByStatus, upcomingCount, upcomingNext] = plans;
    plans.forEach(noScan);
    expect(received).toMatch(/SEARCH payments USING INDEX payments_owner_paid_idx \(owner_id=\? AND paid_at>\? AND paid_at<\?\)/);
    expect(outstanding).toMatch(/SEARCH invoices USING INDEX invoices_owner_status_issue_idx \(owner_id=\? AND status=\?\)/);
    expect(quotesSent).toMatch(/SEARCH quotes USING INDEX quotes_owner_sent_idx \(owner_id=\? AND sent_at>\? AND sent_at<\?\)/);
    expect(sessionsByStatus).toMatch(/SEARCH sessions USING (COVERING )?INDEX sessions_owner_(status_)?starts_idx \(owner_id=\?/);
    // Either the plain index or the partial one on active bookings (which the planner prefers once ANALYZE has run).
    const bookingIndex = /SEARCH bookings USING INDEX bookings_owner_(start_idx|active_start_unique) \(owner_id=\? AND start_at>\?\)/;
    expect(upcomingCount).toMatch(bookingIndex);
    expect(upcomingNext).toMatch(bookingIndex);
    expect(upcomingNext).not.toContain("TEMP B-TREE");
  });

  for (const groupBy of ["day", "week", "month", "year"] as const) {
    it(`revenue and sessions by ${groupBy} (a range across two DST changes)`, async () => {
      const range = zonedRange(ZONE, "2025-01-01", "2026-12-31");
      const [received, invoiced, sessions] = await Promise.all(
        [receivedByPeriodQuery(db, studio.id, range, groupBy), invoicedByPeriodQuery(db, studio.id, range, groupBy), sessionsByPeriodQuery(db, studio.id, range, groupBy)].map(planOf),
      );
      [received!, invoiced!, sessions!].forEach(noScan);
      expect(received).toMatch(/SEARCH payments USING INDEX payments_owner_paid_idx \(owner_id=\? AND paid_at>\? AND paid_at<\?\)/);
      expect(invoiced).toMatch(/SEARCH invoices USING INDEX invoices_owner_issue_idx \(owner_id=\? AND issue_date>\? AND issue_date<\?\)/);
      expect(sessions).toMatch(/SEARCH sessions USING (COVERING )?INDEX sessions_owner_starts_idx \(owner_id=\? AND starts_at>\? AND starts_at<\?\)/);
    });
  }

  it("conversion: the sent quotes by quotes_owner_sent_idx, their invoice by invoices_quote_unique", async () => {
    const range = zonedRange(ZONE, "2026-01-01", "2026-12-31");
    const [conversion, median] = await Promise.all([conversionQuery(db, studio.id, range), medianAcceptQuery(db, studio.id, range)].map(planOf));
    noScan(conversion!);
    noScan(median!);
    expect(conversion).toMatch(/SEARCH quotes USING INDEX quotes_owner_sent_idx \(owner_id=\? AND sent_at>\? AND sent_at<\?\)/);
    expect(conversion).toMatch(/SEARCH invoices USING (COVERING )?INDEX invoices_quote_unique \(quote_id=\?\)/);
    expect(median!.match(/SEARCH quotes USING INDEX quotes_owner_sent_idx/g)).toHaveLength(3);
  });
});
