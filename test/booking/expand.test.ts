import { describe, expect, it } from "vitest";
import { Temporal } from "temporal-polyfill";
import { expandSlots, isTimeZone, localToInstant, type AvailabilityRule } from "../../workers/modules/booking/expand";

const iso = (slots: { start: Date; end: Date }[]) => slots.map((s) => `${s.start.toISOString()}/${s.end.toISOString()}`);
const starts = (slots: { start: Date }[]) => slots.map((s) => s.start.toISOString());
const at = (text: string) => new Date(text);

describe("local wall-clock time → instant", () => {
  it("uses each day's offset, and resolves the spring gap forward and the autumn overlap to the first", () => {
    const paris = (local: string) => localToInstant(Temporal.PlainDateTime.from(local), "Europe/Paris").toISOString();
    expect(paris("2026-03-28T09:00")).toBe("2026-03-28T08:00:00.000Z");
    expect(paris("2026-03-30T09:00")).toBe("2026-03-30T07:00:00.000Z");
    expect(paris("2026-03-29T02:30")).toBe("2026-03-29T01:30:00.000Z"); // 02:30 does not exist: 03:30 CEST
    expect(paris("2026-10-25T02:30")).toBe("2026-10-25T00:30:00.000Z"); // 02:30 happens twice: the CEST one
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});

describe("expandSlots", () => {
  const weeklyParis: AvailabilityRule = {
    timezone: "Europe/Paris",
    startsAt: "2026-03-02T09:00",
    endsAt: "2026-03-02T10:00",
    recurrence: { frequency: "WEEKLY" },
  };

  it("keeps a weekly 09:00 Paris slot at 09:00 Paris across both changes", () => {
    expect(starts(expandSlots(weeklyParis, at("2026-03-16T00:00Z"), at("2026-04-07T00:00Z")))).toEqual([
      "2026-03-16T08:00:00.000Z",
      "2026-03-23T08:00:00.000Z",
      "2026-03-30T07:00:00.000Z", // summer time from March 29
      "2026-04-06T07:00:00.000Z",
    ]);
    expect(starts(expandSlots(weeklyParis, at("2026-10-19T00:00Z"), at("2026-11-03T00:00Z")))).toEqual([
      "2026-10-19T07:00:00.000Z",
      "2026-10-26T08:00:00.000Z", // winter time from October 25
      "2026-11-02T08:00:00.000Z",
    ]);
  });

  it("follows other zones' own change dates, north and south", () => {
    const daily = (timezone: string, day: string): AvailabilityRule => ({
      timezone,
      startsAt: `${day}T09:00`,
      endsAt: `${day}T09:30`,
      recurrence: { frequency: "DAILY" },
    });
    // New York changes on March 8 2026; Sydney leaves summer time on April 5 2026.
    expect(starts(expandSlots(daily("America/New_York", "2026-03-06"), at("2026-03-06T00:00Z"), at("2026-03-10T00:00Z")))).toEqual([
      "2026-03-06T14:00:00.000Z",
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
    expect(starts(expandSlots(daily("Australia/Sydney", "2026-04-03"), at("2026-04-02T00:00Z"), at("2026-04-06T00:00Z")))).toEqual([
      "2026-04-02T22:00:00.000Z",
      "2026-04-03T22:00:00.000Z",
      "2026-04-04T23:00:00.000Z",
      "2026-04-05T23:00:00.000Z",
    ]);
  });

  it("splits windows into slots by elapsed minutes and drops a short last piece", () => {
    const rule: AvailabilityRule = { timezone: "UTC", startsAt: "2026-12-05T09:00", endsAt: "2026-12-05T10:50", slotMinutes: 30 };
    expect(iso(expandSlots(rule, at("2026-12-01T00:00Z"), at("2026-12-31T00:00Z")))).toEqual([
      "2026-12-05T09:00:00.000Z/2026-12-05T09:30:00.000Z",
      "2026-12-05T09:30:00.000Z/2026-12-05T10:00:00.000Z",
      "2026-12-05T10:00:00.000Z/2026-12-05T10:30:00.000Z",
    ]);
    // Only the slots that overlap the range.
    expect(starts(expandSlots(rule, at("2026-12-05T09:45Z"), at("2026-12-05T10:10Z")))).toEqual(["2026-12-05T09:30:00.000Z", "2026-12-05T10:00:00.000Z"]);
  });

  it("honours interval, byWeekday and an inclusive until", () => {
    const rule: AvailabilityRule = {
      timezone: "Europe/Paris",
      startsAt: "2026-11-04T14:00", // a Wednesday
      endsAt: "2026-11-04T15:00",
      recurrence: { frequency: "WEEKLY", interval: 2, byWeekday: ["MO", "WE"], until: "2026-11-30" },
    };
    expect(starts(expandSlots(rule, at("2026-11-01T00:00Z"), at("2026-12-31T00:00Z")))).toEqual([
      "2026-11-04T13:00:00.000Z", // not Monday Nov 2: before the rule starts
      "2026-11-16T13:00:00.000Z",
      "2026-11-18T13:00:00.000Z",
      "2026-11-30T13:00:00.000Z", // until is inclusive; Dec 2 is not offered
    ]);
    const everyThirdDay: AvailabilityRule = { ...rule, recurrence: { frequency: "DAILY", interval: 3 } };
    expect(starts(expandSlots(everyThirdDay, at("2026-11-05T00:00Z"), at("2026-11-12T00:00Z")))).toEqual([
      "2026-11-07T13:00:00.000Z",
      "2026-11-10T13:00:00.000Z",
    ]);
  });

  it("expands a rule started years ago only around the range, and windows across midnight", () => {
    const night: AvailabilityRule = { timezone: "Europe/Paris", startsAt: "2020-01-01T22:00", endsAt: "2020-01-02T01:00", recurrence: { frequency: "DAILY" } };
    // 22:00–01:00 Paris is 20:00–23:00 UTC in summer; the range starts inside June 30's window.
    const slots = expandSlots(night, at("2026-06-30T22:30Z"), at("2026-07-02T00:00Z"));
    expect(iso(slots)).toEqual(["2026-06-30T20:00:00.000Z/2026-06-30T23:00:00.000Z", "2026-07-01T20:00:00.000Z/2026-07-01T23:00:00.000Z"]);
    expect(expandSlots({ ...night, endsAt: "2020-01-01T21:00" }, at("2026-07-01T00:00Z"), at("2026-07-02T00:00Z"))).toEqual([]);
  });

  it("offers nothing for a window inside a spring-forward gap, and terminates", () => {
    const gap = { timezone: "Europe/Paris", startsAt: "2027-03-28T02:00", endsAt: "2027-03-28T03:00" };
    expect(expandSlots(gap, new Date("2027-03-27T00:00:00Z"), new Date("2027-03-29T00:00:00Z"))).toEqual([]);
    const daily = { ...gap, startsAt: "2027-03-26T02:00", endsAt: "2027-03-26T03:00", recurrence: { frequency: "DAILY" as const } };
    const slots = expandSlots(daily, new Date("2027-03-26T00:00:00Z"), new Date("2027-03-30T00:00:00Z"));
    expect(slots.map((s) => s.start.toISOString())).toEqual(["2027-03-26T01:00:00.000Z", "2027-03-27T01:00:00.000Z", "2027-03-29T00:00:00.000Z"]);
    const half = { timezone: "Europe/Paris", startsAt: "2027-03-28T02:30", endsAt: "2027-03-28T03:00" };
    expect(expandSlots(half, new Date("2027-03-27T00:00:00Z"), new Date("2027-03-29T00:00:00Z"))).toEqual([]);
  });
});
