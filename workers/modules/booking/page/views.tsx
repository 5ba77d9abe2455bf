import type { Child } from "hono/jsx";
import type { Booking } from "@shared/db/schema";
import { displayName, type Host } from "../hosts";
import type { Day, Formatters, Slot } from "./calendar";
import type { FieldErrors, GuestFields } from "./guest-form";

/** Builds a same-origin link; empty values are left out so URLs stay short and shareable. */
export function href(path: string, query: Record<string, string | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** The page's own address, spelled as the host chose it whichever way the guest typed it. */
export const pagePath = (host: Host) => `/book/${host.settings.handle ?? host.id}`;

export const pageTitle = (host: Host) => host.settings.title || `Book a time with ${displayName(host)}`;

export function HostHeader(props: { host: Host }) {
  const { host } = props;
  return (
    <header>
      <p class="muted">
        {displayName(host)}
        {host.companyName && ` · ${host.companyName}`}
      </p>
      <h1>{pageTitle(host)}</h1>
      {host.settings.description && <p class="desc">{host.settings.description}</p>}
    </header>
  );
}

export function Notice(props: { kind?: "good" | "bad"; children: Child }) {
  return (
    <p class={props.kind ? `note ${props.kind}` : "note"} role={props.kind === "bad" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}

/** Where the page lives and what it keeps in every link: the guest's zone and the page of days. */
export interface PickerState {
  path: string;
  zone: string;
  hostZone: string;
  from: string;
  earlier: string | null;
  later: string | null;
}

/** The page of days that have times, as links that keep the zone and the page (and, without the script,
 *  land on the times rather than on the top of a long list). */
export function DayList(props: { state: PickerState; days: Day[]; selected: string | null; fmt: Formatters }) {
  const { state, fmt } = props;
  const link = (query: Record<string, string | null>) => href(state.path, { tz: state.zone, ...query });
  return (
    <section id="days" aria-labelledby="days-title">
      <h2 id="days-title">Pick a day</h2>
      {props.days.length === 0 ? (
        <p class="muted">No free times in these four weeks.</p>
      ) : (
        <ul class="days">
          {props.days.map((day) => (
            <li>
              <a class="day" data-swap href={`${link({ from: state.from, date: day.date })}#slots`} aria-current={day.date === props.selected ? "date" : undefined}>
                {fmt.dayShort(day.date)}
                <small>{day.slots.length === 1 ? "1 time" : `${day.slots.length} times`}</small>
              </a>
            </li>
          ))}
        </ul>
      )}
      <nav class="pager" aria-label="More days">
        {state.earlier ? <a data-swap href={link({ from: state.earlier })}>← Earlier dates</a> : <span />}
        {state.later ? <a data-swap href={link({ from: state.later })}>Later dates →</a> : <span />}
      </nav>
    </section>
  );
}

/**
 * A day's times as buttons. Booking: each button opens the details form (a GET, so back and reload behave);
 * rescheduling: each button moves the booking (a POST to the manage link).
 */
export function SlotList(props: { state: PickerState; day: Day | null; fmt: Formatters; action: { method: "get" | "post"; url: string; field: string } }) {
  const { state, day, fmt, action } = props;
  return (
    <section id="slots" tabindex={-1} aria-labelledby="slots-title">
      {day ? (
        <>
          <h2 id="slots-title">{fmt.day(day.date)}</h2>
          <form method={action.method} action={action.url}>
            <input type="hidden" name="tz" value={state.zone} />
            <input type="hidden" name="from" value={state.from} />
            {action.method === "get" && <input type="hidden" name="date" value={day.date} />}
            <ul class="slots">
              {day.slots.map((slot) => (
                <li>
                  <button class="slot" name={action.field} value={slot.start.toISOString()}>
                    {fmt.time(slot.start)}
                  </button>
                </li>
              ))}
            </ul>
          </form>
        </>
      ) : (
        <h2 id="slots-title">No times left on this day</h2>
      )}
      <ZoneNote state={state} />
    </section>
  );
}

/** Which zone the times are in, and a way to change it that needs no script. */
export function ZoneNote(props: { state: PickerState }) {
  const { state } = props;
  return (
    <details>
      <summary class="muted">Times are shown in {state.zone.replaceAll("_", " ")}</summary>
      <form method="get" action={state.path}>
        <label for="tz">Time zone</label>
        <input id="tz" name="tz" value={state.zone} placeholder="Europe/London" autocomplete="off" />
        <input type="hidden" name="from" value={state.from} />
        <button class="btn quiet">Show times in this zone</button>
      </form>
      {state.zone !== state.hostZone && (
        <p>
          <a href={href(state.path, { tz: state.hostZone, from: state.from })}>Use the host's time zone ({state.hostZone})</a>
        </p>
      )}
    </details>
  );
}

function Field(props: { name: keyof GuestFields; label: string; type?: string; autocomplete: string; required?: boolean; values: GuestFields; errors: FieldErrors; multiline?: boolean }) {
  const error = props.errors[props.name];
  const errorId = `${props.name}-error`;
  const common = {
    id: props.name,
    name: props.name,
    required: props.required,
    autocomplete: props.autocomplete,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": error ? errorId : undefined,
  };
  return (
    <>
      <label for={props.name}>
        {props.label}
        {error && (
          <span class="err" id={errorId}>
            {" "}
            {error}
          </span>
        )}
      </label>
      {props.multiline ? <textarea rows={4} {...common}>{props.values[props.name]}</textarea> : <input type={props.type ?? "text"} value={props.values[props.name]} {...common} />}
    </>
  );
}

/** The guest's details for the chosen slot, posted to the page itself. */
export function GuestForm(props: { state: PickerState; slot: Slot; fmt: Formatters; values: GuestFields; errors: FieldErrors; requiresConfirmation: boolean }) {
  const { state, slot, fmt, values, errors } = props;
  const date = fmt.dayOf(slot.start);
  return (
    <section id="details" aria-labelledby="details-title">
      <h2 id="details-title">
        {fmt.day(date)}, {fmt.range(slot)}
      </h2>
      <p class="muted">
        {state.zone.replaceAll("_", " ")} · <a href={href(state.path, { tz: state.zone, from: state.from, date })}>Choose another time</a>
      </p>
      <form method="post" action={state.path}>
        <input type="hidden" name="start" value={slot.start.toISOString()} />
        <input type="hidden" name="tz" value={state.zone} />
        <input type="hidden" name="from" value={state.from} />
        <Field name="name" label="Your name" autocomplete="name" required values={values} errors={errors} />
        <Field name="email" label="Email" type="email" autocomplete="email" required values={values} errors={errors} />
        <Field name="phone" label="Phone (optional)" type="tel" autocomplete="tel" values={values} errors={errors} />
        <Field name="message" label="Message (optional)" autocomplete="off" multiline values={values} errors={errors} />
        <button class="btn">{props.requiresConfirmation ? "Request this time" : "Book this time"}</button>
      </form>
    </section>
  );
}

const STATUS_TEXT: Record<Booking["status"], string> = {
  CONFIRMED: "Confirmed",
  PENDING: "Waiting for the host to confirm",
  CANCELLED: "Cancelled",
  DECLINED: "Declined by the host",
};

/** The guest's booking as their private link shows it, with what they may still do. */
export function BookingSummary(props: { booking: Booking; host: Host | null; fmt: Formatters; managePath: string; origin: string; canChange: boolean }) {
  const { booking, fmt, managePath } = props;
  const slot = { start: booking.startAt, end: booking.endAt };
  return (
    <>
      <h1>{props.host ? pageTitle(props.host) : "Your booking"}</h1>
      <dl>
        <dt class="muted">When</dt>
        <dd>
          {fmt.day(fmt.dayOf(slot.start))}, {fmt.range(slot)} ({fmt.zone.replaceAll("_", " ")})
        </dd>
        {props.host && (
          <>
            <dt class="muted">With</dt>
            <dd>
              {displayName(props.host)}
              {props.host.companyName && ` · ${props.host.companyName}`}
            </dd>
          </>
        )}
        <dt class="muted">Booked by</dt>
        <dd>
          {booking.guestName} ({booking.guestEmail})
        </dd>
        <dt class="muted">Status</dt>
        <dd id="status">{STATUS_TEXT[booking.status]}</dd>
      </dl>
      {props.canChange && (
        <>
          <p>
            Your link to change or cancel this booking (keep it; it is also in your confirmation email):
            <br />
            <a id="manage-link" href={managePath}>
              <code>{`${props.origin}${managePath}`}</code>
            </a>
          </p>
          <p>
            <a class="btn quiet" href={href(`${managePath}/reschedule`, { tz: fmt.zone })}>
              Choose another time
            </a>
          </p>
          <form method="post" action={`${managePath}/cancel`}>
            <input type="hidden" name="tz" value={fmt.zone} />
            <label for="reason">Reason for cancelling (optional)</label>
            <textarea id="reason" name="reason" rows={2} maxlength={500} />
            <button class="btn">Cancel this booking</button>
          </form>
        </>
      )}
    </>
  );
}
