import type { JSX } from "hono/jsx/jsx-runtime";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Hono JSX to an HTML document string (with doctype) for the email's HTML part. */
export function renderHtml(element: JSX.Element): string {
  return `<!doctype html>${element.toString()}`;
}
