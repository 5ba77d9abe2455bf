import type { Child } from "hono/jsx";
import type { Booking } from "@shared/db/schema";
import { displayName, type Host } from "../hosts";
import type { Day, Formatters, Slot } from "./calendar";
import type { FieldErrors, GuestFields } from "./guest-form";
import { Page } from "./layout";
import { BookingSummary, DayList, GuestForm, HostHeader, href, Notice, pagePath, pageTitle, SlotList, type PickerState } from "./views";

/** What a day-and-time picker shows: the page of days, the chosen day, and how to format them. */
export interface Picker {
  state: PickerState;
  fmt: Formatters;
  days: Day[];
  selected: Day | null;
  /** Set when the guest named no zone: the page script may reload in the browser's own. */
  detectTimeZoneFrom?: string;
}

export function HostPage(props: { host: Host; picker: Picker; notice?: Child }) {
  const { host, picker } = props;
  return (
    <Page title={pageTitle(host)} detectTimeZoneFrom={picker.detectTimeZoneFrom}>
      <HostHeader host={host} />
      {props.notice}
      <DayList state={picker.state} days={picker.days} selected={picker.selected?.date ?? null} fmt={picker.fmt} />
      <SlotList state={picker.state} day={picker.selected} fmt={picker.fmt} action={{ method: "get", url: picker.state.path, field: "slot" }} />
    </Page>
  );
}

export const emptyGuest: GuestFields = { name: "", email: "", phone: "", message: "" };

export function FormPage(props: { host: Host; state: PickerState; fmt: Formatters; slot: Slot; values?: GuestFields; errors?: FieldErrors; detectTimeZoneFrom?: string }) {
  const { host, errors = {} } = props;
  return (
    <Page title={pageTitle(host)} detectTimeZoneFrom={props.detectTimeZoneFrom}>
      <HostHeader host={host} />
      {Object.keys(errors).length > 0 && <Notice kind="bad">Please check the fields marked below.</Notice>}
      <GuestForm state={props.state} slot={props.slot} fmt={props.fmt} values={props.values ?? emptyGuest} errors={errors} requiresConfirmation={host.settings.requiresConfirmation} />
    </Page>
  );
}

export type ManageNotice = "booked" | "rescheduled" | "cancelled" | null;

export function ManagePage(props: {
  booking: Booking;
  host: Host | null;
  fmt: Formatters;
  managePath: string;
  origin: string;
  canChange: boolean;
  notice: ManageNotice;
  detectTimeZoneFrom?: string;
}) {
  const { booking, host, notice } = props;
  const hostName = host ? displayName(host) : "The host";
  return (
    <Page title={host ? `Your booking with ${displayName(host)}` : "Your booking"} detectTimeZoneFrom={props.detectTimeZoneFrom}>
      {notice === "booked" &&
        (booking.status === "PENDING" ? (
          <Notice kind="good">Request sent. {hostName} will confirm it, and you will get an email either way.</Notice>
        ) : (
          <Notice kind="good">You are booked. A confirmation is on its way to {booking.guestEmail}.</Notice>
        ))}
      {notice === "rescheduled" && <Notice kind="good">Your booking was moved. The link below replaces the previous one.</Notice>}
      {notice === "cancelled" && <Notice kind="good">Your booking is cancelled. {hostName} has been told.</Notice>}
      <BookingSummary booking={booking} host={host} fmt={props.fmt} managePath={props.managePath} origin={props.origin} canChange={props.canChange} />
      {!props.canChange && host && (
        <p>
          <a class="btn quiet" href={href(pagePath(host), { tz: props.fmt.zone })}>
            Book another time
          </a>
        </p>
      )}
    </Page>
  );
}

export function ReschedulePage(props: { host: Host; booking: Booking; picker: Picker; managePath: string; notice?: Child }) {
  const { picker, booking } = props;
  const { fmt } = picker;
  const current = { start: booking.startAt, end: booking.endAt };
  return (
    <Page title={`Move your booking with ${displayName(props.host)}`} detectTimeZoneFrom={picker.detectTimeZoneFrom}>
      <HostHeader host={props.host} />
      <p>
        Your booking is on {fmt.day(fmt.dayOf(current.start))}, {fmt.range(current)}. Pick a new time, or{" "}
        <a href={href(props.managePath, { tz: fmt.zone })}>keep it</a>.
      </p>
      {props.notice}
      <DayList state={picker.state} days={picker.days} selected={picker.selected?.date ?? null} fmt={fmt} />
      <SlotList state={picker.state} day={picker.selected} fmt={fmt} action={{ method: "post", url: `${props.managePath}/reschedule`, field: "start" }} />
    </Page>
  );
}
