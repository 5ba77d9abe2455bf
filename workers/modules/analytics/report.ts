// The PDF of a range's figures: the same queries as the JSON routes (one batch), printed through the PDF
// pipeline with the studio's letterhead.
import type { ServiceDeps } from "../../router";
import { renderAnalyticsReport } from "../../templates/documents/analytics-report";
import { studioView } from "../pdf/view";
import { renderPdf } from "../pdf/service";
import { countPeriods, localToday, type GroupBy } from "./periods";
import { getReportData, type RangeInput } from "./service";

/** Short ranges by day, up to half a year by week, longer ones by month: a table that fits a few pages. */
export function reportGrouping(from: string, to: string): GroupBy {
  if (countPeriods(from, to, "day") <= 31) return "day";
  if (countPeriods(from, to, "week") <= 26) return "week";
  return "month";
}

/** The report's HTML and print footer: what renderReportPdf prints. */
export async function reportDocument(deps: ServiceDeps, ownerId: string, input: RangeInput & { groupBy?: GroupBy }): Promise<{ html: string; footerTemplate: string }> {
  const groupBy = input.groupBy ?? reportGrouping(input.from, input.to);
  const data = await getReportData(deps, ownerId, { from: input.from, to: input.to, groupBy });
  const locale = data.owner.locale;
  return renderAnalyticsReport({
    locale,
    timeZone: data.owner.timezone,
    studio: await studioView(deps.env.FILES, data.user, locale),
    generatedOn: localToday(data.owner.timezone).toString(),
    revenue: data.revenue,
    conversion: data.conversion,
    sessions: data.sessions,
  });
}

export async function renderReportPdf(deps: ServiceDeps, ownerId: string, input: RangeInput & { groupBy?: GroupBy }): Promise<{ bytes: Uint8Array; filename: string }> {
  const { html, footerTemplate } = await reportDocument(deps, ownerId, input);
  const bytes = await renderPdf(deps.env, html, { displayHeaderFooter: true, headerTemplate: "<span></span>", footerTemplate });
  return { bytes, filename: `report-${input.from}-${input.to}.pdf` };
}
