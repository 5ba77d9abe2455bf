// The guest's details form: read from a form post, checked by the same schema as POST
// /api/public/booking/:userId/book (so the page and the API accept exactly the same bookings), with
// messages written for a person rather than for a client program.
import { BookSchema, type BookInput } from "../schemas";

export interface GuestFields {
  name: string;
  email: string;
  phone: string;
  message: string;
}

export type GuestField = keyof GuestFields;
export type FieldErrors = Partial<Record<GuestField, string>>;

const MESSAGES: Record<GuestField, string> = {
  name: "Please enter your name (up to 200 characters).",
  email: "Please enter a valid email address.",
  phone: "Please keep the phone number under 50 characters.",
  message: "Please keep the message under 2,000 characters.",
};

const isGuestField = (key: unknown): key is GuestField => typeof key === "string" && key in MESSAGES;

type FormBody = Record<string, string | File | (string | File)[]>;
const text = (body: FormBody, key: string): string => {
  const value = body[key];
  return typeof value === "string" ? value : "";
};

export interface BookingForm {
  start: string;
  tz: string;
  from: string;
  fields: GuestFields;
}

export function readBookingForm(body: FormBody): BookingForm {
  return {
    start: text(body, "start"),
    tz: text(body, "tz"),
    from: text(body, "from"),
    fields: { name: text(body, "name"), email: text(body, "email"), phone: text(body, "phone"), message: text(body, "message") },
  };
}

export type GuestCheck = { ok: true; input: BookInput } | { ok: false; badStart: boolean; errors: FieldErrors };

/** The booking to make, or what is wrong with the form. `timezone` is the zone the page showed. */
export function checkBookingForm(form: BookingForm, timezone: string): GuestCheck {
  const parsed = BookSchema.safeParse({
    start: form.start,
    name: form.fields.name,
    email: form.fields.email.trim(),
    phone: form.fields.phone,
    message: form.fields.message,
    timezone,
  });
  if (parsed.success) return { ok: true, input: parsed.data };
  const errors: FieldErrors = {};
  let badStart = false;
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (isGuestField(field)) errors[field] = MESSAGES[field];
    else badStart = true;
  }
  return { ok: false, badStart, errors };
}

/** Field errors from a 400 the booking service raised itself (paths like `body.email`). */
export function fieldErrorsOf(errors: { path: string }[] | undefined): FieldErrors | null {
  const out: FieldErrors = {};
  for (const error of errors ?? []) {
    const field = error.path.split(".").at(-1);
    if (!isGuestField(field)) return null;
    out[field] = MESSAGES[field];
  }
  return Object.keys(out).length ? out : null;
}
